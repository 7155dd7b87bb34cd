// aarch64: the faulting instruction and frame pointer (x29) from a signal's ucontext.
#include <ucontext.h>

#include "target/target.h"

namespace aperture::target {

void machine_state(void* context, uintptr_t* pc, uintptr_t* fp) {
  auto* uc = static_cast<ucontext_t*>(context);
  *pc = static_cast<uintptr_t>(uc->uc_mcontext.pc);
  *fp = static_cast<uintptr_t>(uc->uc_mcontext.regs[29]);
}

}  // namespace aperture::target
