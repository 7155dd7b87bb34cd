// A build without the code generator (APERTURE_COMPILER=OFF, e.g. for a board): the
// compiled engine runs cached and precompiled code only; generating code is refused with
// what to do instead.
#include "aperture/error.h"
#include "compile/codegen_library.h"
#include "target/target.h"

namespace aperture::native {

CodegenResult generate_code(const CodegenRequest&) {
  throw Error(std::string("this build of Aperture has no code generator (built without LLVM): "
                          "compile the module on a workstation with `aperture compile --target ") +
              target::host_target_name() +
              " MODULE.wasm -o MODULE.cwasm` and run the artifact with `aperture run "
              "--allow-precompiled MODULE.cwasm`, or run the module with --engine interp");
}

}  // namespace aperture::native
