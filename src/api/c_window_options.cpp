// aperture.h: window options (attach modes, copy mode and its sync) and the process-wide
// default window mode; the same semantics as region.h's map_window with WindowOptions.
#include <chrono>

#include "aperture/memory.h"
#include "api/c_api_internal.h"
#include "wasi/wasi_types.h"

using namespace aperture;
using namespace aperture::capi;

static_assert(APERTURE_WINDOW_DEFAULT == static_cast<uint32_t>(WindowMode::Default) &&
                  APERTURE_WINDOW_MAP == static_cast<uint32_t>(WindowMode::Map) &&
                  APERTURE_WINDOW_COPY == static_cast<uint32_t>(WindowMode::Copy),
              "aperture.h and region.h agree on window modes");
static_assert(APERTURE_ATTACH_NONE == static_cast<uint32_t>(Attach::None) &&
                  APERTURE_ATTACH_SHARED == static_cast<uint32_t>(Attach::Shared) &&
                  APERTURE_ATTACH_EXCLUSIVE == static_cast<uint32_t>(Attach::Exclusive),
              "aperture.h and region.h agree on attach modes");

namespace aperture::capi {

bool to_window_options(const char* api, const aperture_window_options_t* in, WindowOptions* out,
                       aperture_error_t** error) {
  *out = WindowOptions{};
  if (in == nullptr) return true;
  if (in->mode > APERTURE_WINDOW_COPY) {
    *error = new_error(std::string(api) + ": window mode " + std::to_string(in->mode) +
                           " is invalid (use APERTURE_WINDOW_DEFAULT, _MAP or _COPY)",
                       wasi::kEinval);
    return false;
  }
  if (in->attach > APERTURE_ATTACH_EXCLUSIVE) {
    *error = new_error(std::string(api) + ": attach mode " + std::to_string(in->attach) +
                           " is invalid (use APERTURE_ATTACH_NONE, _SHARED or _EXCLUSIVE)",
                       wasi::kEinval);
    return false;
  }
  out->mode = static_cast<WindowMode>(in->mode);
  out->attach = static_cast<Attach>(in->attach);
  out->wait = in->wait_ns < 0 ? kWaitForever : std::chrono::nanoseconds(in->wait_ns);
  return true;
}

}  // namespace aperture::capi

extern "C" {

aperture_error_t* aperture_memory_map_with_options(wasm_memory_t* memory, const aperture_region_t* region,
                                                   uint64_t offset, uint64_t length, uint64_t addr,
                                                   aperture_access_t access,
                                                   const aperture_window_options_t* options,
                                                   uint64_t* mapped_addr) {
  const char* api = "aperture_memory_map_with_options";
  if (memory == nullptr) return null_argument(api, "memory");
  if (region == nullptr) return null_argument(api, "region");
  std::optional<Access> a = to_access(access);
  if (!a) return bad_access(api, access);
  WindowOptions o;
  aperture_error_t* error = nullptr;
  if (!to_window_options(api, options, &o, &error)) return error;
  return guarded([&] {
    uint64_t at = map_window(*memory->memory(), region->region, offset, length, addr, *a, o);
    if (mapped_addr) *mapped_addr = at;
  });
}

aperture_error_t* aperture_memory_sync(wasm_memory_t* memory, uint64_t addr, uint64_t length) {
  if (memory == nullptr) return null_argument("aperture_memory_sync", "memory");
  return guarded([&] { sync_window(*memory->memory(), addr, length); });
}

aperture_attach_t aperture_memory_window_attach(const wasm_memory_t* memory, uint64_t addr) {
  if (memory == nullptr) return APERTURE_ATTACH_NONE;
  return static_cast<aperture_attach_t>(window_attach_mode(*memory->memory(), addr));
}

aperture_window_mode_t aperture_memory_window_mode(const wasm_memory_t* memory, uint64_t addr) {
  if (memory == nullptr) return APERTURE_WINDOW_DEFAULT;
  return static_cast<aperture_window_mode_t>(window_mode(*memory->memory(), addr));
}

aperture_error_t* aperture_default_window_mode(aperture_window_mode_t* out) {
  if (out == nullptr) return null_argument("aperture_default_window_mode", "out");
  return guarded([&] { *out = static_cast<aperture_window_mode_t>(default_window_mode()); });
}

aperture_error_t* aperture_set_default_window_mode(aperture_window_mode_t mode) {
  if (mode != APERTURE_WINDOW_MAP && mode != APERTURE_WINDOW_COPY)
    return new_error("aperture_set_default_window_mode: mode " + std::to_string(mode) +
                         " is invalid (use APERTURE_WINDOW_MAP or APERTURE_WINDOW_COPY)",
                     wasi::kEinval);
  return guarded([&] { set_default_window_mode(static_cast<WindowMode>(mode)); });
}

}  // extern "C"
