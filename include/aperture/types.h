// Core WebAssembly value and type vocabulary shared by every layer and the public API.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace aperture {

// Value types use their binary encoding as enumerator values. A typed function reference
// (WebAssembly 3.0 function references) packs into the same 32 bits: byte 0 is 0x64
// `(ref ht)` or 0x63 `(ref null ht)`, bits 8-31 the heap type (kHeapFunc, kHeapExtern,
// kHeapNoFunc, kHeapNoExtern, or kHeapConcrete + a type index of the module).
// `(ref null func)` and `(ref null extern)` are always stored as FuncRef and ExternRef, so
// equal types compare equal. At the host boundary (results, globals, the C API) every
// typed reference reads as its top type, FuncRef or ExternRef (api_type).
enum class ValType : uint32_t {
  I32 = 0x7F,
  I64 = 0x7E,
  F32 = 0x7D,
  F64 = 0x7C,
  V128 = 0x7B,
  FuncRef = 0x70,
  ExternRef = 0x6F,
};

// Heap types of typed references (the abstract ones keep their binary encoding).
constexpr uint32_t kHeapFunc = 0x70;
constexpr uint32_t kHeapExtern = 0x6F;
constexpr uint32_t kHeapNoFunc = 0x73;
constexpr uint32_t kHeapNoExtern = 0x72;
constexpr uint32_t kHeapConcrete = 0x100;  // + type index
constexpr uint32_t kMaxTypedRefIndex = (1u << 24) - 1 - kHeapConcrete;
constexpr uint8_t kRefNullByte = 0x63;
constexpr uint8_t kRefByte = 0x64;

const char* to_string(ValType t);  // typed references: "(ref null 3)", "(ref func)"
inline uint8_t type_byte(ValType t) { return static_cast<uint8_t>(static_cast<uint32_t>(t)); }
inline bool is_ref(ValType t) {
  uint8_t b = type_byte(t);
  return b == 0x70 || b == 0x6F || b == kRefNullByte || b == kRefByte;
}
inline bool is_num(ValType t) {
  return t == ValType::I32 || t == ValType::I64 || t == ValType::F32 || t == ValType::F64;
}
// For reference types: whether null is a value of the type.
inline bool is_nullable(ValType t) { return type_byte(t) != kRefByte; }
// For reference types: the heap type (kHeapFunc for funcref, kHeapExtern for externref).
inline uint32_t heap_type(ValType t) {
  if (t == ValType::FuncRef) return kHeapFunc;
  if (t == ValType::ExternRef) return kHeapExtern;
  return static_cast<uint32_t>(t) >> 8;
}
inline bool is_concrete_heap(uint32_t heap) { return heap >= kHeapConcrete; }
// The reference type (ref null? heap), in its one canonical encoding.
inline ValType make_ref(bool nullable, uint32_t heap) {
  if (nullable && heap == kHeapFunc) return ValType::FuncRef;
  if (nullable && heap == kHeapExtern) return ValType::ExternRef;
  return static_cast<ValType>((heap << 8) | (nullable ? kRefNullByte : kRefByte));
}
// Whether a reference type lives in the function hierarchy (func, nofunc, a type index).
inline bool is_func_heap(uint32_t heap) {
  return heap == kHeapFunc || heap == kHeapNoFunc || is_concrete_heap(heap);
}
// The type a value of `t` has for the host: typed references are funcref or externref.
inline ValType api_type(ValType t) {
  if (!is_ref(t)) return t;
  return is_func_heap(heap_type(t)) ? ValType::FuncRef : ValType::ExternRef;
}

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3 };
const char* to_string(ExternKind k);

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  bool operator==(const FuncType&) const = default;
  std::string to_string() const;  // "(i32, i64) -> (f32)"
};

struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  bool shared = false;
  // 64-bit limits (memory64 / table64, WebAssembly 3.0): the memory or table is indexed by
  // i64 instead of i32 (addresses, sizes and memory.grow/table.grow results are i64).
  bool is64 = false;
  bool operator==(const Limits&) const = default;
};

struct TableType {
  ValType elem = ValType::FuncRef;
  Limits limits;
};

struct MemoryType {
  Limits limits;  // in 64 KiB pages
};

struct GlobalType {
  ValType type = ValType::I32;
  bool mut = false;
};

// Engines pass values in untyped 64-bit slots: one per value, two for a v128 (low half
// first). The slots a sequence of values takes:
inline uint32_t slot_count(const std::vector<ValType>& types) {
  uint32_t n = 0;
  for (ValType t : types) n += t == ValType::V128 ? 2 : 1;
  return n;
}

constexpr uint64_t kWasmPageSize = 65536;
constexpr uint64_t kMaxMemoryPages = 65536;  // 4 GiB for 32-bit memories

// A raw reference as stored in tables, globals and the value stack: 0 is null.
// funcref: the address of a runtime::Function; externref: an embedder value + 1.
using RefBits = uint64_t;

// A typed WebAssembly value at the API boundary. Inside the engine values are untyped
// 64-bit slots; floats keep their exact bit patterns (NaN payloads survive).
// A v128 holds its low 64 bits (lanes 0..) in `bits` and its high 64 bits in `high`.
struct Value {
  ValType type = ValType::I32;
  uint64_t bits = 0;
  uint64_t high = 0;  // v128 only

  static Value i32(uint32_t v) { return {ValType::I32, v}; }
  static Value i64(uint64_t v) { return {ValType::I64, v}; }
  static Value f32_bits(uint32_t b) { return {ValType::F32, b}; }
  static Value f64_bits(uint64_t b) { return {ValType::F64, b}; }
  static Value f32(float f) { uint32_t b; std::memcpy(&b, &f, 4); return f32_bits(b); }
  static Value f64(double d) { uint64_t b; std::memcpy(&b, &d, 8); return f64_bits(b); }
  static Value null(ValType ref_type) { return {ref_type, 0}; }
  static Value v128(uint64_t low, uint64_t high) { return {ValType::V128, low, high}; }
  // An externref carrying an embedder-chosen integer (the spec runner's `ref.extern N`),
  // at most kMaxExternValue: 2^64-1 would wrap to the null reference's encoding.
  static constexpr uint64_t kMaxExternValue = UINT64_MAX - 1;
  static Value extern_ref(uint64_t host_value) { return {ValType::ExternRef, host_value + 1}; }

  uint32_t as_u32() const { return static_cast<uint32_t>(bits); }
  int32_t as_i32() const { return static_cast<int32_t>(bits); }
  uint64_t as_u64() const { return bits; }
  int64_t as_i64() const { return static_cast<int64_t>(bits); }
  float as_f32() const { float f; uint32_t b = as_u32(); std::memcpy(&f, &b, 4); return f; }
  double as_f64() const { double d; std::memcpy(&d, &bits, 8); return d; }
  bool is_null() const { return bits == 0; }
  uint64_t extern_value() const { return bits - 1; }

  std::string to_string() const;  // "i32:42", "f64:1.5", "funcref:null"
};

}  // namespace aperture
