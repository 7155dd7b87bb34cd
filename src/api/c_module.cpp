// wasm.h modules: compile, validate, reflect imports/exports, share across threads and
// serialize.
//
// Serialized form: a header (magic, format version, payload kind, payload length), then
//  * kind 0 (a module of the interpreter): the validated module binary. Deserializing
//    decodes, validates and prepares it again for the store's engine.
//  * kind 1 (a module of the compiled engine): the binary's length and the binary, then a
//    compiled-engine artifact (include/aperture/engine.h) holding its machine code. A store
//    of the compiled engine loads the machine code without compiling; a store of another
//    engine prepares the binary. The binary is kept beside the artifact so that the module
//    can still be shared with, or serialized for, stores of other engines.
#include "api/c_api_internal.h"
#include "binary/decoder.h"
#include "binary/module.h"
#include "runtime/compiled_module.h"
#include "validate/validator.h"

namespace aperture::capi {
namespace {

constexpr char kMagic[8] = {'A', 'P', 'E', 'R', 'T', 'M', 'O', 'D'};
constexpr uint32_t kFormatVersion = 1;
constexpr uint32_t kPayloadWasmBinary = 0;
constexpr uint32_t kPayloadWasmAndArtifact = 1;
constexpr size_t kHeaderSize = sizeof(kMagic) + 4 + 4 + 8;

std::span<const uint8_t> bytes_of(const wasm_byte_vec_t* v) {
  if (v == nullptr || v->data == nullptr) return {};
  return {reinterpret_cast<const uint8_t*>(v->data), v->size};
}

std::shared_ptr<const ModuleSource> compile_source(const EngineConfig& engine,
                                                   std::span<const uint8_t> bytes) {
  auto source = std::make_shared<ModuleSource>();
  source->compiled = compile(bytes, engine);
  source->bytes.assign(bytes.begin(), bytes.end());
  source->engine = engine;
  return source;
}

wasm_module_t* module_handle(wasm_store_t* store, std::shared_ptr<const ModuleSource> source) {
  // The handle adopts the object's initial reference.
  return new wasm_module_t(new ModuleObject(std::move(source)), store);
}

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_u64(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint64_t get_le(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

struct SerializedPayload {
  uint32_t kind;
  std::span<const uint8_t> bytes;
};

// The payload inside a serialized module. Throws Error naming what is wrong.
SerializedPayload serialized_payload(std::span<const uint8_t> in) {
  if (in.size() < kHeaderSize || std::memcmp(in.data(), kMagic, sizeof(kMagic)) != 0)
    throw Error("not a serialized Aperture module (pass bytes from wasm_module_serialize; "
                "a .wasm binary goes to wasm_module_new)");
  const uint8_t* p = in.data() + sizeof(kMagic);
  uint32_t version = static_cast<uint32_t>(get_le(p, 4));
  uint32_t kind = static_cast<uint32_t>(get_le(p + 4, 4));
  uint64_t length = get_le(p + 8, 8);
  if (version != kFormatVersion)
    throw Error("serialized module has format version " + std::to_string(version) +
                ", this library reads version " + std::to_string(kFormatVersion) +
                " (serialize it again with this library)");
  if (kind != kPayloadWasmBinary && kind != kPayloadWasmAndArtifact)
    throw Error("serialized module holds an unknown payload kind " + std::to_string(kind));
  if (length != in.size() - kHeaderSize)
    throw Error("serialized module is truncated or has trailing bytes: header says " +
                std::to_string(length) + " payload bytes, got " +
                std::to_string(in.size() - kHeaderSize));
  return {kind, in.subspan(kHeaderSize)};
}

// The serialized form of `source` (see the top of this file).
std::vector<uint8_t> serialize_source(const ModuleSource& source) {
  const std::vector<uint8_t>& wasm = source.bytes;
  bool compiled = source.engine.kind == EngineKind::Compiled;
  std::vector<uint8_t> payload;
  if (compiled) {
    // The artifact is made now rather than kept with every module: serializing is rare,
    // and machine code held twice would cost every module memory.
    std::vector<uint8_t> artifact = compile_to_artifact(wasm, source.engine);
    put_u64(payload, wasm.size());
    payload.insert(payload.end(), wasm.begin(), wasm.end());
    payload.insert(payload.end(), artifact.begin(), artifact.end());
  } else {
    payload = wasm;
  }
  std::vector<uint8_t> blob(kMagic, kMagic + sizeof(kMagic));
  put_u32(blob, kFormatVersion);
  put_u32(blob, compiled ? kPayloadWasmAndArtifact : kPayloadWasmBinary);
  put_u64(blob, payload.size());
  blob.insert(blob.end(), payload.begin(), payload.end());
  return blob;
}

// The module a serialized module holds, prepared for `engine`. Throws on bad input.
std::shared_ptr<const ModuleSource> deserialize_source(const EngineConfig& engine,
                                                       std::span<const uint8_t> serialized) {
  SerializedPayload payload = serialized_payload(serialized);
  if (payload.kind == kPayloadWasmBinary) return compile_source(engine, payload.bytes);
  if (payload.bytes.size() < 8 || get_le(payload.bytes.data(), 8) > payload.bytes.size() - 8)
    throw Error("serialized module is corrupt: its module binary's length exceeds the payload");
  uint64_t wasm_size = get_le(payload.bytes.data(), 8);
  std::span<const uint8_t> wasm = payload.bytes.subspan(8, wasm_size);
  std::span<const uint8_t> artifact = payload.bytes.subspan(8 + wasm_size);
  if (engine.kind != EngineKind::Compiled) return compile_source(engine, wasm);
  auto source = std::make_shared<ModuleSource>();
  source->compiled = load_artifact(artifact);  // refuses another build's or CPU's code
  source->bytes.assign(wasm.begin(), wasm.end());
  source->engine = engine;
  return source;
}

wasm_externtype_t* import_type(const Module& m, const Import& imp) {
  switch (imp.kind) {
    case ExternKind::Func: return new_functype(m.types[imp.func_type]);
    case ExternKind::Table: return new_tabletype(imp.table);
    case ExternKind::Memory: return new_memorytype(imp.memory);
    case ExternKind::Global: return new_globaltype(imp.global);
  }
  return nullptr;
}

wasm_externtype_t* export_type(const Module& m, const Export& e) {
  switch (e.kind) {
    case ExternKind::Func: return new_functype(m.func_type(e.index));
    case ExternKind::Table: return new_tabletype(m.table_type(e.index));
    case ExternKind::Memory: return new_memorytype(m.memory_type(e.index));
    case ExternKind::Global: return new_globaltype(m.global_type(e.index));
  }
  return nullptr;
}

}  // namespace
}  // namespace aperture::capi

using namespace aperture;
using namespace aperture::capi;

extern "C" {

aperture_error_t* aperture_module_new(wasm_store_t* store, const wasm_byte_vec_t* binary,
                                      wasm_module_t** out) {
  if (out) *out = nullptr;
  if (store == nullptr || binary == nullptr || out == nullptr)
    return new aperture_error_t{{"aperture_module_new: store, binary and out must not be NULL", 0}};
  try {
    *out = module_handle(store, compile_source(store->engine, bytes_of(binary)));
    return nullptr;
  } catch (...) {
    return new aperture_error_t{current_exception_error()};
  }
}

wasm_module_t* wasm_module_new(wasm_store_t* store, const wasm_byte_vec_t* binary) {
  wasm_module_t* module = nullptr;
  if (aperture_error_t* e = aperture_module_new(store, binary, &module)) {
    set_last_error(std::move(e->info));
    delete e;
  }
  return module;
}

aperture_error_t* aperture_module_validate(wasm_store_t* store, const wasm_byte_vec_t* binary) {
  if (store == nullptr || binary == nullptr)
    return new aperture_error_t{{"aperture_module_validate: store and binary must not be NULL", 0}};
  try {
    validate_module(decode_module(bytes_of(binary)));
    return nullptr;
  } catch (...) {
    return new aperture_error_t{current_exception_error()};
  }
}

bool wasm_module_validate(wasm_store_t* store, const wasm_byte_vec_t* binary) {
  aperture_error_t* e = aperture_module_validate(store, binary);
  if (e == nullptr) return true;
  set_last_error(std::move(e->info));
  delete e;
  return false;
}

void wasm_module_imports(const wasm_module_t* module, wasm_importtype_vec_t* out) {
  const Module& m = module->source().compiled->module;
  wasm_importtype_vec_new_uninitialized(out, m.imports.size());
  for (size_t i = 0; i < out->size; ++i) {
    const Import& imp = m.imports[i];
    auto* t = new wasm_importtype_t;
    new_name(&t->module, imp.module);
    new_name(&t->name, imp.name);
    t->type = import_type(m, imp);
    out->data[i] = t;
  }
}

void wasm_module_exports(const wasm_module_t* module, wasm_exporttype_vec_t* out) {
  const Module& m = module->source().compiled->module;
  wasm_exporttype_vec_new_uninitialized(out, m.exports.size());
  for (size_t i = 0; i < out->size; ++i) {
    const Export& e = m.exports[i];
    auto* t = new wasm_exporttype_t;
    new_name(&t->name, e.name);
    t->type = export_type(m, e);
    out->data[i] = t;
  }
}

void wasm_module_serialize(const wasm_module_t* module, wasm_byte_vec_t* out) {
  try {
    std::vector<uint8_t> blob = serialize_source(module->source());
    wasm_byte_vec_new(out, blob.size(), reinterpret_cast<const wasm_byte_t*>(blob.data()));
  } catch (...) {  // no room for the copy, or the compiler failed: an empty vector
    set_last_error(current_exception_error());
    wasm_byte_vec_new_empty(out);
  }
}

wasm_module_t* wasm_module_deserialize(wasm_store_t* store, const wasm_byte_vec_t* serialized) {
  if (store == nullptr || serialized == nullptr) {
    set_last_error("wasm_module_deserialize: store and bytes must not be NULL");
    return nullptr;
  }
  try {
    return module_handle(store, deserialize_source(store->engine, bytes_of(serialized)));
  } catch (...) {
    set_last_error(current_exception_error());
    return nullptr;
  }
}

void wasm_shared_module_delete(wasm_shared_module_t* m) { delete m; }

wasm_shared_module_t* wasm_module_share(const wasm_module_t* module) {
  return new wasm_shared_module_t{static_cast<ModuleObject*>(module->obj)->source};
}

wasm_module_t* wasm_module_obtain(wasm_store_t* store, const wasm_shared_module_t* shared) {
  if (store == nullptr || shared == nullptr) {
    set_last_error("wasm_module_obtain: store and shared module must not be NULL");
    return nullptr;
  }
  try {
    const EngineConfig& had = shared->source->engine;
    if (had.kind == store->engine.kind && had.opt_level == store->engine.opt_level)
      return module_handle(store, shared->source);
    return module_handle(store, compile_source(store->engine, shared->source->bytes));
  } catch (...) {
    set_last_error(current_exception_error());
    return nullptr;
  }
}

}  // extern "C"
