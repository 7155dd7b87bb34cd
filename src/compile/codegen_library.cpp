#include "compile/codegen_library.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "aperture/error.h"
#include "compile/codegen_id.h"

namespace aperture::native {
namespace {

constexpr const char* kLibraryName = "libaperture-codegen.so";

std::string executable_dir() {
  std::vector<char> buf(4096);
  ssize_t n = readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) return "";
  std::string path(buf.data(), static_cast<size_t>(n));
  return path.substr(0, path.rfind('/'));
}

// The directory of the shared object holding this code (libaperture.so), or "" when
// that is the executable (libaperture.a linked in) or unknown.
std::string library_dir() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&library_dir), &info) == 0 || info.dli_fname == nullptr) return "";
  std::string path = info.dli_fname;
  if (path.empty() || path[0] != '/' || path.rfind('/') == 0) return "";
  std::string dir = path.substr(0, path.rfind('/'));
  return dir == executable_dir() ? "" : dir;
}

// $APERTURE_CODEGEN_LIBRARY; beside libaperture.so in <libdir>/aperture/ (an installed,
// possibly moved, tree); next to the executable or in ../lib/aperture/ from it; the
// configured install directory; the build tree.
std::vector<std::string> candidates() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("APERTURE_CODEGEN_LIBRARY"); env && *env) {
    out.push_back(env);
    return out;
  }
  if (std::string lib = library_dir(); !lib.empty()) out.push_back(lib + "/aperture/" + kLibraryName);
  std::string dir = executable_dir();
  if (!dir.empty()) {
    out.push_back(dir + "/" + kLibraryName);
    out.push_back(dir + "/../lib/aperture/" + kLibraryName);
  }
  out.push_back(APERTURE_CODEGEN_INSTALL_PATH);
  out.push_back(APERTURE_CODEGEN_BUILD_PATH);
  return out;
}

struct Library {
  CodegenFunction generate = nullptr;
  std::string error;
};

Library load() {
  Library lib;
  std::string tried;
  for (const std::string& path : candidates()) {
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      tried += "\n  " + path + ": " + dlerror();
      continue;
    }
    auto id = reinterpret_cast<CodegenIdFunction>(dlsym(handle, kCodegenIdSymbol));
    auto generate = reinterpret_cast<CodegenFunction>(dlsym(handle, kCodegenSymbol));
    if (id == nullptr || generate == nullptr || std::string(id()) != APERTURE_CODEGEN_ID) {
      tried += "\n  " + path + ": built from other sources than this program";
      dlclose(handle);
      continue;
    }
    lib.generate = generate;  // never unloaded: LLVM keeps global state
    return lib;
  }
  lib.error = std::string("cannot load the code generator ") + kLibraryName +
              " (needed by the compiled engine; set APERTURE_CODEGEN_LIBRARY or use "
              "--engine interp):" + tried;
  return lib;
}

}  // namespace

CodegenResult generate_code(const CodegenRequest& request) {
  static std::once_flag once;
  static Library lib;
  std::call_once(once, [] { lib = load(); });
  if (lib.generate == nullptr) throw Error(lib.error);
  CodegenResult result;
  if (!lib.generate(&request, &result)) throw Error("code generation failed: " + result.error);
  return result;
}

}  // namespace aperture::native
