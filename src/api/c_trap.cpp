// wasm.h traps and frames. A trap keeps its message, its wasm frames (innermost first)
// and, for WASI proc_exit, the exit status.
#include "api/c_api_internal.h"
#include "binary/module.h"

namespace aperture::capi {

wasm_trap_t* new_trap(wasm_store_t* store, const std::string& message) {
  auto* obj = new TrapObject;
  obj->message = message;
  return new wasm_trap_t(obj, store);  // adopts the object's initial reference
}

namespace {

// A runtime frame in wasm.h terms: offsets in the module and from the function's start
// (its locals declaration, just after the body size). Without a known instruction (a
// memory fault in the interpreter) both point at the function's start.
FrameInfo frame_info(const TrapFrame& f) {
  FrameInfo info;
  info.instance = f.instance;
  info.func_index = f.func_index;
  if (f.instance == nullptr) return info;
  const Module& m = f.instance->module();
  size_t body_offset = 0;
  if (f.func_index >= m.num_imported_funcs && f.func_index - m.num_imported_funcs < m.bodies.size())
    body_offset = m.bodies[f.func_index - m.num_imported_funcs].code_offset;
  info.module_offset = f.offset.value_or(body_offset);
  info.func_offset = info.module_offset >= body_offset ? info.module_offset - body_offset : 0;
  return info;
}

}  // namespace

wasm_trap_t* new_trap(wasm_store_t* store, const Trap& t) {
  wasm_trap_t* trap = new_trap(store, std::string(t.what()));
  trap->trap().exit_status = t.exit_status();
  for (const TrapFrame& f : t.frames) {
    // The frames name instances, which must therefore outlive the trap.
    if (store && f.instance) store->mark_escaped(f.instance);
    trap->trap().frames.push_back(frame_info(f));
  }
  return trap;
}

}  // namespace aperture::capi

using namespace aperture;
using namespace aperture::capi;

namespace {

wasm_frame_t* new_frame(const wasm_trap_t* trap, const FrameInfo& info) {
  auto* f = new wasm_frame_t;
  if (info.instance && trap->store) f->instance = instance_handle(trap->store, info.instance);
  f->func_index = info.func_index;
  f->func_offset = info.func_offset;
  f->module_offset = info.module_offset;
  return f;
}

}  // namespace

extern "C" {

wasm_trap_t* wasm_trap_new(wasm_store_t* store, const wasm_message_t* message) {
  return new_trap(store, to_string(message));
}

void wasm_trap_message(const wasm_trap_t* trap, wasm_message_t* out) {
  new_message(out, trap->trap().message);
}

wasm_frame_t* wasm_trap_origin(const wasm_trap_t* trap) {
  const std::vector<FrameInfo>& frames = trap->trap().frames;
  return frames.empty() ? nullptr : new_frame(trap, frames.front());
}

void wasm_trap_trace(const wasm_trap_t* trap, wasm_frame_vec_t* out) {
  const std::vector<FrameInfo>& frames = trap->trap().frames;
  wasm_frame_vec_new_uninitialized(out, frames.size());
  for (size_t i = 0; i < out->size; ++i) out->data[i] = new_frame(trap, frames[i]);
}

bool aperture_trap_exit_status(const wasm_trap_t* trap, int* status) {
  if (trap == nullptr || !trap->trap().exit_status) return false;
  if (status) *status = *trap->trap().exit_status;
  return true;
}

// ---- Frames ----

void wasm_frame_delete(wasm_frame_t* f) { delete f; }

wasm_frame_t* wasm_frame_copy(const wasm_frame_t* f) {
  auto* c = new wasm_frame_t;
  c->instance = f->instance ? wasm_instance_copy(f->instance) : nullptr;
  c->func_index = f->func_index;
  c->func_offset = f->func_offset;
  c->module_offset = f->module_offset;
  return c;
}

wasm_instance_t* wasm_frame_instance(const wasm_frame_t* f) { return f->instance; }
uint32_t wasm_frame_func_index(const wasm_frame_t* f) { return f->func_index; }
size_t wasm_frame_func_offset(const wasm_frame_t* f) { return f->func_offset; }
size_t wasm_frame_module_offset(const wasm_frame_t* f) { return f->module_offset; }

}  // extern "C"
