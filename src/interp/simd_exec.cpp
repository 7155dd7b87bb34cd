// The interpreter's SIMD operations (interp/simd_exec.h), outside the interpreter loop.
//
// A v128 takes two consecutive value slots, low half first. Lanes are computed with
// GCC/Clang vector extensions (portable C++: SSE on x86-64, NEON on aarch64), or per-lane
// loops where wasm's rules (saturation, NaN, conversions) differ from a vector operator.
// Relaxed SIMD takes the deterministic choices documented in interp/simd.h.
//
// Each operation is a function State(sp, ip, memory bases): `sp` is the operand stack
// pointer, `ip` the instruction's first immediate; it returns both after the operation.
// Operand positions: a v128 on top of the stack is sp[-2..-1]; below it sp[-4..-3].
#include "interp/simd_exec.h"

#include <cstring>

#include "interp/simd.h"

namespace aperture::simd {
namespace {

#define OP(Name) State op_##Name([[maybe_unused]] uint64_t* sp, [[maybe_unused]] const Slot* ip, \
                                 [[maybe_unused]] uint8_t* const* bases)
#define VBIN(Name, T, expr)                                   \
  OP(Name) {                                                  \
    bin<T>(sp - 4, [](T a, T b) { return (expr); });          \
    return {sp - 2, ip};                                      \
  }
#define VUN(Name, T, expr)                                    \
  OP(Name) {                                                  \
    un<T>(sp - 2, [](T a) { return (expr); });                \
    return {sp, ip};                                          \
  }
#define VTERN(Name, T, expr)                                  \
  OP(Name) {                                                  \
    tern<T>(sp - 6, [](T a, T b, T c) { return (expr); });    \
    return {sp - 4, ip};                                      \
  }
// v128 -> i32 (any_true, all_true, bitmask): the result replaces both slots.
#define VTEST(Name, T, expr)                                  \
  OP(Name) {                                                  \
    test<T>(sp - 2, [](T a) { return static_cast<uint32_t>(expr); }); \
    return {sp - 1, ip};                                      \
  }
// v128, i32 -> v128 (shifts; the count is taken modulo the lane width)
#define VSHIFT(Name, T, expr)                                 \
  OP(Name) {                                                  \
    shift<T>(sp - 3, [](T a, uint32_t n) { return (expr); }); \
    return {sp - 1, ip};                                      \
  }
#define U32(v) static_cast<uint64_t>(static_cast<uint32_t>(v))
#define U64(v) static_cast<uint64_t>(v)
// immediate: lane
#define EXTRACT(Name, T, conv)                                              \
  OP(Name) {                                                                \
    extract_op<T>(sp - 2, ip[0].u64, [](Lane<T> x) { return conv(x); });    \
    return {sp - 1, ip + 1};                                                \
  }
#define REPLACE(Name, T, E)                                                 \
  OP(Name) {                                                                \
    replace_op<T>(sp - 3, ip[0].u64);                                       \
    return {sp - 1, ip + 1};                                                \
  }
#define VCMP(Name, T, op) VBIN(Name, T, mask(a op b))

// immediates: the 16 bytes
OP(V128Const) {
  sp[0] = ip[0].u64;
  sp[1] = ip[1].u64;
  return {sp + 2, ip + 2};
}
OP(I8x16Shuffle) {
  shuffle_op(sp - 4, &ip[0].u64);
  return {sp - 2, ip + 2};
}
VBIN(I8x16Swizzle, u8x16, swizzle(a, b))
VBIN(I8x16RelaxedSwizzle, u8x16, swizzle(a, b))
#define SPLAT(Name, T) \
  OP(Name) {           \
    splat_op<T>(sp - 1); \
    return {sp + 1, ip}; \
  }
SPLAT(I8x16Splat, u8x16)
SPLAT(I16x8Splat, u16x8)
SPLAT(I32x4Splat, u32x4)
SPLAT(I64x2Splat, u64x2)
SPLAT(F32x4Splat, u32x4)
SPLAT(F64x2Splat, u64x2)
EXTRACT(I8x16ExtractLaneS, i8x16, U32)
EXTRACT(I8x16ExtractLaneU, u8x16, U32)
EXTRACT(I16x8ExtractLaneS, i16x8, U32)
EXTRACT(I16x8ExtractLaneU, u16x8, U32)
EXTRACT(I32x4ExtractLane, u32x4, U32)
EXTRACT(I64x2ExtractLane, u64x2, U64)
EXTRACT(F32x4ExtractLane, u32x4, U32)
EXTRACT(F64x2ExtractLane, u64x2, U64)
REPLACE(I8x16ReplaceLane, u8x16, uint8_t)
REPLACE(I16x8ReplaceLane, u16x8, uint16_t)
REPLACE(I32x4ReplaceLane, u32x4, uint32_t)
REPLACE(I64x2ReplaceLane, u64x2, uint64_t)
REPLACE(F32x4ReplaceLane, u32x4, uint32_t)
REPLACE(F64x2ReplaceLane, u64x2, uint64_t)

// Comparisons: vector operators give all-ones / zero lanes.
#define VCMP(Name, T, op) VBIN(Name, T, mask(a op b))
VCMP(I8x16Eq, i8x16, ==) VCMP(I8x16Ne, i8x16, !=)
VCMP(I8x16LtS, i8x16, <) VCMP(I8x16LtU, u8x16, <)
VCMP(I8x16GtS, i8x16, >) VCMP(I8x16GtU, u8x16, >)
VCMP(I8x16LeS, i8x16, <=) VCMP(I8x16LeU, u8x16, <=)
VCMP(I8x16GeS, i8x16, >=) VCMP(I8x16GeU, u8x16, >=)
VCMP(I16x8Eq, i16x8, ==) VCMP(I16x8Ne, i16x8, !=)
VCMP(I16x8LtS, i16x8, <) VCMP(I16x8LtU, u16x8, <)
VCMP(I16x8GtS, i16x8, >) VCMP(I16x8GtU, u16x8, >)
VCMP(I16x8LeS, i16x8, <=) VCMP(I16x8LeU, u16x8, <=)
VCMP(I16x8GeS, i16x8, >=) VCMP(I16x8GeU, u16x8, >=)
VCMP(I32x4Eq, i32x4, ==) VCMP(I32x4Ne, i32x4, !=)
VCMP(I32x4LtS, i32x4, <) VCMP(I32x4LtU, u32x4, <)
VCMP(I32x4GtS, i32x4, >) VCMP(I32x4GtU, u32x4, >)
VCMP(I32x4LeS, i32x4, <=) VCMP(I32x4LeU, u32x4, <=)
VCMP(I32x4GeS, i32x4, >=) VCMP(I32x4GeU, u32x4, >=)
VCMP(I64x2Eq, i64x2, ==) VCMP(I64x2Ne, i64x2, !=)
VCMP(I64x2LtS, i64x2, <) VCMP(I64x2GtS, i64x2, >)
VCMP(I64x2LeS, i64x2, <=) VCMP(I64x2GeS, i64x2, >=)
VCMP(F32x4Eq, f32x4, ==) VCMP(F32x4Ne, f32x4, !=)
VCMP(F32x4Lt, f32x4, <) VCMP(F32x4Gt, f32x4, >)
VCMP(F32x4Le, f32x4, <=) VCMP(F32x4Ge, f32x4, >=)
VCMP(F64x2Eq, f64x2, ==) VCMP(F64x2Ne, f64x2, !=)
VCMP(F64x2Lt, f64x2, <) VCMP(F64x2Gt, f64x2, >)
VCMP(F64x2Le, f64x2, <=) VCMP(F64x2Ge, f64x2, >=)

// Bitwise.
VUN(V128Not, u64x2, ~a)
VBIN(V128And, u64x2, a & b)
VBIN(V128Andnot, u64x2, a & ~b)
VBIN(V128Or, u64x2, a | b)
VBIN(V128Xor, u64x2, a ^ b)
VTERN(V128Bitselect, u64x2, (a & c) | (b & ~c))
VTERN(I8x16RelaxedLaneselect, u64x2, (a & c) | (b & ~c))
VTERN(I16x8RelaxedLaneselect, u64x2, (a & c) | (b & ~c))
VTERN(I32x4RelaxedLaneselect, u64x2, (a & c) | (b & ~c))
VTERN(I64x2RelaxedLaneselect, u64x2, (a & c) | (b & ~c))
VTEST(V128AnyTrue, u64x2, (a[0] | a[1]) != 0)
VTEST(I8x16AllTrue, u8x16, all_true(a))
VTEST(I16x8AllTrue, u16x8, all_true(a))
VTEST(I32x4AllTrue, u32x4, all_true(a))
VTEST(I64x2AllTrue, u64x2, all_true(a))
VTEST(I8x16Bitmask, i8x16, bitmask(a))
VTEST(I16x8Bitmask, i16x8, bitmask(a))
VTEST(I32x4Bitmask, i32x4, bitmask(a))
VTEST(I64x2Bitmask, i64x2, bitmask(a))

// Integer arithmetic (unsigned lanes: wrapping).
VUN(I8x16Abs, i8x16, abs_lanes(a))
VUN(I16x8Abs, i16x8, abs_lanes(a))
VUN(I32x4Abs, i32x4, abs_lanes(a))
VUN(I64x2Abs, i64x2, abs_lanes(a))
VUN(I8x16Neg, u8x16, -a)
VUN(I16x8Neg, u16x8, -a)
VUN(I32x4Neg, u32x4, -a)
VUN(I64x2Neg, u64x2, -a)
VUN(I8x16Popcnt, u8x16, popcnt(a))
VBIN(I8x16Add, u8x16, a + b) VBIN(I8x16Sub, u8x16, a - b)
VBIN(I16x8Add, u16x8, a + b) VBIN(I16x8Sub, u16x8, a - b) VBIN(I16x8Mul, u16x8, a * b)
VBIN(I32x4Add, u32x4, a + b) VBIN(I32x4Sub, u32x4, a - b) VBIN(I32x4Mul, u32x4, a * b)
VBIN(I64x2Add, u64x2, a + b) VBIN(I64x2Sub, u64x2, a - b) VBIN(I64x2Mul, u64x2, a * b)
VBIN(I8x16AddSatS, i8x16, add_sat(a, b)) VBIN(I8x16AddSatU, u8x16, add_sat(a, b))
VBIN(I8x16SubSatS, i8x16, sub_sat(a, b)) VBIN(I8x16SubSatU, u8x16, sub_sat(a, b))
VBIN(I16x8AddSatS, i16x8, add_sat(a, b)) VBIN(I16x8AddSatU, u16x8, add_sat(a, b))
VBIN(I16x8SubSatS, i16x8, sub_sat(a, b)) VBIN(I16x8SubSatU, u16x8, sub_sat(a, b))
VBIN(I8x16MinS, i8x16, a < b ? a : b) VBIN(I8x16MinU, u8x16, a < b ? a : b)
VBIN(I8x16MaxS, i8x16, a > b ? a : b) VBIN(I8x16MaxU, u8x16, a > b ? a : b)
VBIN(I16x8MinS, i16x8, a < b ? a : b) VBIN(I16x8MinU, u16x8, a < b ? a : b)
VBIN(I16x8MaxS, i16x8, a > b ? a : b) VBIN(I16x8MaxU, u16x8, a > b ? a : b)
VBIN(I32x4MinS, i32x4, a < b ? a : b) VBIN(I32x4MinU, u32x4, a < b ? a : b)
VBIN(I32x4MaxS, i32x4, a > b ? a : b) VBIN(I32x4MaxU, u32x4, a > b ? a : b)
VBIN(I8x16AvgrU, u8x16, avgr(a, b)) VBIN(I16x8AvgrU, u16x8, avgr(a, b))
VBIN(I16x8Q15mulrSatS, i16x8, q15mulr(a, b))
VBIN(I16x8RelaxedQ15mulrS, i16x8, q15mulr(a, b))
VSHIFT(I8x16Shl, u8x16, a << n) VSHIFT(I8x16ShrS, i8x16, a >> n) VSHIFT(I8x16ShrU, u8x16, a >> n)
VSHIFT(I16x8Shl, u16x8, a << n) VSHIFT(I16x8ShrS, i16x8, a >> n) VSHIFT(I16x8ShrU, u16x8, a >> n)
VSHIFT(I32x4Shl, u32x4, a << n) VSHIFT(I32x4ShrS, i32x4, a >> n) VSHIFT(I32x4ShrU, u32x4, a >> n)
VSHIFT(I64x2Shl, u64x2, a << n) VSHIFT(I64x2ShrS, i64x2, a >> n) VSHIFT(I64x2ShrU, u64x2, a >> n)
VBIN(I8x16NarrowI16x8S, i16x8, (narrow<i8x16>(a, b)))
VBIN(I8x16NarrowI16x8U, i16x8, (narrow<u8x16>(a, b)))
VBIN(I16x8NarrowI32x4S, i32x4, (narrow<i16x8>(a, b)))
VBIN(I16x8NarrowI32x4U, i32x4, (narrow<u16x8>(a, b)))
VUN(I16x8ExtendLowI8x16S, i8x16, (extend<i16x8>(a, 0)))
VUN(I16x8ExtendHighI8x16S, i8x16, (extend<i16x8>(a, 8)))
VUN(I16x8ExtendLowI8x16U, u8x16, (extend<u16x8>(a, 0)))
VUN(I16x8ExtendHighI8x16U, u8x16, (extend<u16x8>(a, 8)))
VUN(I32x4ExtendLowI16x8S, i16x8, (extend<i32x4>(a, 0)))
VUN(I32x4ExtendHighI16x8S, i16x8, (extend<i32x4>(a, 4)))
VUN(I32x4ExtendLowI16x8U, u16x8, (extend<u32x4>(a, 0)))
VUN(I32x4ExtendHighI16x8U, u16x8, (extend<u32x4>(a, 4)))
VUN(I64x2ExtendLowI32x4S, i32x4, (extend<i64x2>(a, 0)))
VUN(I64x2ExtendHighI32x4S, i32x4, (extend<i64x2>(a, 2)))
VUN(I64x2ExtendLowI32x4U, u32x4, (extend<u64x2>(a, 0)))
VUN(I64x2ExtendHighI32x4U, u32x4, (extend<u64x2>(a, 2)))
VBIN(I16x8ExtmulLowI8x16S, i8x16, (extend<i16x8>(a, 0) * extend<i16x8>(b, 0)))
VBIN(I16x8ExtmulHighI8x16S, i8x16, (extend<i16x8>(a, 8) * extend<i16x8>(b, 8)))
VBIN(I16x8ExtmulLowI8x16U, u8x16, (extend<u16x8>(a, 0) * extend<u16x8>(b, 0)))
VBIN(I16x8ExtmulHighI8x16U, u8x16, (extend<u16x8>(a, 8) * extend<u16x8>(b, 8)))
VBIN(I32x4ExtmulLowI16x8S, i16x8, (extend<i32x4>(a, 0) * extend<i32x4>(b, 0)))
VBIN(I32x4ExtmulHighI16x8S, i16x8, (extend<i32x4>(a, 4) * extend<i32x4>(b, 4)))
VBIN(I32x4ExtmulLowI16x8U, u16x8, (extend<u32x4>(a, 0) * extend<u32x4>(b, 0)))
VBIN(I32x4ExtmulHighI16x8U, u16x8, (extend<u32x4>(a, 4) * extend<u32x4>(b, 4)))
VBIN(I64x2ExtmulLowI32x4S, i32x4, (mul_wide<i64x2>(a, b, 0)))
VBIN(I64x2ExtmulHighI32x4S, i32x4, (mul_wide<i64x2>(a, b, 2)))
VBIN(I64x2ExtmulLowI32x4U, u32x4, (mul_wide<u64x2>(a, b, 0)))
VBIN(I64x2ExtmulHighI32x4U, u32x4, (mul_wide<u64x2>(a, b, 2)))
VUN(I16x8ExtaddPairwiseI8x16S, i8x16, (pairwise<i16x8>(a)))
VUN(I16x8ExtaddPairwiseI8x16U, u8x16, (pairwise<u16x8>(a)))
VUN(I32x4ExtaddPairwiseI16x8S, i16x8, (pairwise<i32x4>(a)))
VUN(I32x4ExtaddPairwiseI16x8U, u16x8, (pairwise<u32x4>(a)))
VBIN(I32x4DotI16x8S, i16x8, dot(a, b))
VBIN(I16x8RelaxedDotI8x16I7x16S, i8x16, dot_i8(a, b))
VTERN(I32x4RelaxedDotI8x16I7x16AddS, i8x16, dot_i8_add(a, b, c))

// Floating point.
VUN(F32x4Abs, u32x4, a & 0x7FFFFFFFu)
VUN(F32x4Neg, u32x4, a ^ 0x80000000u)
VUN(F64x2Abs, u64x2, a & 0x7FFFFFFFFFFFFFFFull)
VUN(F64x2Neg, u64x2, a ^ 0x8000000000000000ull)
VUN(F32x4Sqrt, f32x4, each(a, [](float x) { return std::sqrt(x); }))
VUN(F64x2Sqrt, f64x2, each(a, [](double x) { return std::sqrt(x); }))
VUN(F32x4Ceil, f32x4, each(a, numeric::wasm_ceil<float>))
VUN(F32x4Floor, f32x4, each(a, numeric::wasm_floor<float>))
VUN(F32x4Trunc, f32x4, each(a, numeric::wasm_trunc<float>))
VUN(F32x4Nearest, f32x4, each(a, numeric::wasm_nearest<float>))
VUN(F64x2Ceil, f64x2, each(a, numeric::wasm_ceil<double>))
VUN(F64x2Floor, f64x2, each(a, numeric::wasm_floor<double>))
VUN(F64x2Trunc, f64x2, each(a, numeric::wasm_trunc<double>))
VUN(F64x2Nearest, f64x2, each(a, numeric::wasm_nearest<double>))
VBIN(F32x4Add, f32x4, a + b) VBIN(F32x4Sub, f32x4, a - b)
VBIN(F32x4Mul, f32x4, a * b) VBIN(F32x4Div, f32x4, a / b)
VBIN(F64x2Add, f64x2, a + b) VBIN(F64x2Sub, f64x2, a - b)
VBIN(F64x2Mul, f64x2, a * b) VBIN(F64x2Div, f64x2, a / b)
VBIN(F32x4Min, f32x4, each2(a, b, numeric::wasm_min<float>))
VBIN(F32x4Max, f32x4, each2(a, b, numeric::wasm_max<float>))
VBIN(F64x2Min, f64x2, each2(a, b, numeric::wasm_min<double>))
VBIN(F64x2Max, f64x2, each2(a, b, numeric::wasm_max<double>))
VBIN(F32x4RelaxedMin, f32x4, each2(a, b, numeric::wasm_min<float>))
VBIN(F32x4RelaxedMax, f32x4, each2(a, b, numeric::wasm_max<float>))
VBIN(F64x2RelaxedMin, f64x2, each2(a, b, numeric::wasm_min<double>))
VBIN(F64x2RelaxedMax, f64x2, each2(a, b, numeric::wasm_max<double>))
VBIN(F32x4Pmin, f32x4, pmin(a, b)) VBIN(F32x4Pmax, f32x4, pmax(a, b))
VBIN(F64x2Pmin, f64x2, pmin(a, b)) VBIN(F64x2Pmax, f64x2, pmax(a, b))
VTERN(F32x4RelaxedMadd, f32x4, madd(a, b, c))
VTERN(F32x4RelaxedNmadd, f32x4, madd(-a, b, c))
VTERN(F64x2RelaxedMadd, f64x2, madd(a, b, c))
VTERN(F64x2RelaxedNmadd, f64x2, madd(-a, b, c))
VUN(F32x4DemoteF64x2Zero, f64x2, demote(a))
VUN(F64x2PromoteLowF32x4, f32x4, promote(a))
VUN(I32x4TruncSatF32x4S, f32x4, (trunc_sat4<int32_t>(a)))
VUN(I32x4TruncSatF32x4U, f32x4, (trunc_sat4<uint32_t>(a)))
VUN(I32x4TruncSatF64x2SZero, f64x2, (trunc_sat2<int32_t>(a)))
VUN(I32x4TruncSatF64x2UZero, f64x2, (trunc_sat2<uint32_t>(a)))
VUN(I32x4RelaxedTruncF32x4S, f32x4, (trunc_sat4<int32_t>(a)))
VUN(I32x4RelaxedTruncF32x4U, f32x4, (trunc_sat4<uint32_t>(a)))
VUN(I32x4RelaxedTruncF64x2SZero, f64x2, (trunc_sat2<int32_t>(a)))
VUN(I32x4RelaxedTruncF64x2UZero, f64x2, (trunc_sat2<uint32_t>(a)))
VUN(F32x4ConvertI32x4S, i32x4, (convert4<int32_t>(a)))
VUN(F32x4ConvertI32x4U, u32x4, (convert4<uint32_t>(a)))
VUN(F64x2ConvertLowI32x4S, i32x4, (convert_low<int32_t>(a)))
VUN(F64x2ConvertLowI32x4U, u32x4, (convert_low<uint32_t>(a)))

// ---- memory accesses ----
// Immediates: offset[, lane], memory index. On a 32-bit memory no bounds check: the guard
// zone traps, also for an access that straddles the end of memory or of a window (one
// host access; a trapping store writes nothing). On a 64-bit memory (Is64) the address
// is all 64 bits; the translator puts a Mem64Check before the operation, which has
// compared address + offset + width with the reservation (docs/architecture.md,
// "64-bit memories"), so here too only the guard zone and unmapped pages remain.
template <bool Is64>
uint8_t* address(uint8_t* const* bases, uint64_t addr_slot, const Slot* ip, int index_imm) {
  uint64_t a = Is64 ? addr_slot : static_cast<uint32_t>(addr_slot);
  return bases[ip[index_imm].u64] + (a + ip[0].u64);
}
// A memory operation is a template on the memory's index type; op_Name is its 32-bit form.
#define MOP(Name)                                                                       \
  template <bool Is64>                                                                  \
  State mem_##Name(uint64_t* sp, const Slot* ip, uint8_t* const* bases);                \
  OP(Name) { return mem_##Name<false>(sp, ip, bases); }                                 \
  template <bool Is64>                                                                  \
  State mem_##Name(uint64_t* sp, const Slot* ip, uint8_t* const* bases)
// address -> v128 built from `Bytes` bytes
#define SIMD_LOAD(Name, Bytes, MAKE)                                                    \
  MOP(Name) {                                                                           \
    load_op<Bytes>(sp - 1, address<Is64>(bases, sp[-1], ip, 1),                        \
                   [](const uint8_t* raw) { return MAKE; });                            \
    return {sp + 1, ip + 2};                                                            \
  }
  SIMD_LOAD(V128Load, 16, get<u64x2>(raw))
  SIMD_LOAD(V128Load8x8S, 8, (widen8<i16x8, int8_t>(raw)))
  SIMD_LOAD(V128Load8x8U, 8, (widen8<u16x8, uint8_t>(raw)))
  SIMD_LOAD(V128Load16x4S, 8, (widen8<i32x4, int16_t>(raw)))
  SIMD_LOAD(V128Load16x4U, 8, (widen8<u32x4, uint16_t>(raw)))
  SIMD_LOAD(V128Load32x2S, 8, (widen8<i64x2, int32_t>(raw)))
  SIMD_LOAD(V128Load32x2U, 8, (widen8<u64x2, uint32_t>(raw)))
  SIMD_LOAD(V128Load8Splat, 1, (splat_bytes<u8x16, uint8_t>(raw)))
  SIMD_LOAD(V128Load16Splat, 2, (splat_bytes<u16x8, uint16_t>(raw)))
  SIMD_LOAD(V128Load32Splat, 4, (splat_bytes<u32x4, uint32_t>(raw)))
  SIMD_LOAD(V128Load64Splat, 8, (splat_bytes<u64x2, uint64_t>(raw)))
  SIMD_LOAD(V128Load32Zero, 4, (zero_extend<4>(raw)))
  SIMD_LOAD(V128Load64Zero, 8, (zero_extend<8>(raw)))
MOP(V128Store) {
  store_to_memory(address<Is64>(bases, sp[-3], ip, 1), sp - 2);
  return {sp - 3, ip + 2};
}
// [address, v128] -> v128 with lane ip[1] replaced from memory / stored to memory
#define SIMD_LOAD_LANE(Name, T, E)                                          \
  MOP(Name) {                                                               \
    load_lane_op<T, E>(sp - 2, address<Is64>(bases, sp[-3], ip, 2), ip[1].u64); \
    return {sp - 1, ip + 3};                                                \
  }
#define SIMD_STORE_LANE(Name, T, E)                                         \
  MOP(Name) {                                                               \
    store_lane_op<T, E>(sp - 2, address<Is64>(bases, sp[-3], ip, 2), ip[1].u64); \
    return {sp - 3, ip + 3};                                                \
  }
  SIMD_LOAD_LANE(V128Load8Lane, u8x16, uint8_t)
  SIMD_LOAD_LANE(V128Load16Lane, u16x8, uint16_t)
  SIMD_LOAD_LANE(V128Load32Lane, u32x4, uint32_t)
  SIMD_LOAD_LANE(V128Load64Lane, u64x2, uint64_t)
  SIMD_STORE_LANE(V128Store8Lane, u8x16, uint8_t)
  SIMD_STORE_LANE(V128Store16Lane, u16x8, uint16_t)
  SIMD_STORE_LANE(V128Store32Lane, u32x4, uint32_t)
  SIMD_STORE_LANE(V128Store64Lane, u64x2, uint64_t)

#define SIMD_MEMORY_OPS(X)                                                                  \
  X(V128Load) X(V128Load8x8S) X(V128Load8x8U) X(V128Load16x4S) X(V128Load16x4U)           \
  X(V128Load32x2S) X(V128Load32x2U) X(V128Load8Splat) X(V128Load16Splat) X(V128Load32Splat) \
  X(V128Load64Splat) X(V128Load32Zero) X(V128Load64Zero) X(V128Store) X(V128Load8Lane)     \
  X(V128Load16Lane) X(V128Load32Lane) X(V128Load64Lane) X(V128Store8Lane) X(V128Store16Lane) \
  X(V128Store32Lane) X(V128Store64Lane)

}  // namespace

OpFn op_function(Opcode op) {
  switch (op) {
#define SIMD_CASE_0xFD(Name) \
  case Opcode::Name:         \
    return op_##Name;
#define SIMD_CASE_0x00(Name)
#define SIMD_CASE_0xFC(Name)
#define SIMD_CASE_0xFE(Name)
#define WASM_OP(Name, Prefix, Code, Text, Imm, P0, P1, P2, R, Mem) SIMD_CASE_##Prefix(Name)
#include "binary/opcodes.def"
#undef WASM_OP
    default: return nullptr;
  }
}

OpFn op_function_mem64(Opcode op) {
  switch (op) {
#define SIMD_MEMORY_CASE(Name) \
  case Opcode::Name:           \
    return mem_##Name<true>;
    SIMD_MEMORY_OPS(SIMD_MEMORY_CASE)
#undef SIMD_MEMORY_CASE
    default: return nullptr;
  }
}

}  // namespace aperture::simd
