// Lane types and lane-wise helpers for the interpreter's SIMD handlers
// (interp/simd_ops.inc). Portable C++ with GCC/Clang vector extensions: the compiler
// picks SSE on x86-64 and NEON on aarch64; nothing here names a target.
//
// Relaxed SIMD (WebAssembly 3.0) lets each host choose among listed results; Aperture's
// interpreter takes the same choice on every host, the deterministic one below (and
// docs/architecture.md, "SIMD"):
//   relaxed_swizzle = swizzle (index >= 16 gives 0), relaxed_trunc = trunc_sat,
//   relaxed_madd/nmadd = unfused a*b+c (two roundings), relaxed_laneselect = bitselect,
//   relaxed_min/max = min/max (NaN and -0 as for min/max), relaxed_q15mulr_s =
//   q15mulr_sat_s, relaxed dot products treat the second operand's bytes as signed.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "interp/numeric.h"

namespace aperture::simd {

using i8x16 = int8_t __attribute__((vector_size(16)));
using u8x16 = uint8_t __attribute__((vector_size(16)));
using i16x8 = int16_t __attribute__((vector_size(16)));
using u16x8 = uint16_t __attribute__((vector_size(16)));
using i32x4 = int32_t __attribute__((vector_size(16)));
using u32x4 = uint32_t __attribute__((vector_size(16)));
using i64x2 = int64_t __attribute__((vector_size(16)));
using u64x2 = uint64_t __attribute__((vector_size(16)));
using f32x4 = float __attribute__((vector_size(16)));
using f64x2 = double __attribute__((vector_size(16)));

template <typename V> using Lane = std::remove_cvref_t<decltype(std::declval<V>()[0])>;
template <typename V> constexpr uint32_t lanes() { return 16 / sizeof(Lane<V>); }
template <typename V> constexpr uint32_t lane_bits() { return 8 * sizeof(Lane<V>); }

// A v128 from / into two value slots (or any 16 bytes): memcpy, no alignment needed.
template <typename V>
inline V get(const void* p) {
  V v;
  std::memcpy(&v, p, 16);
  return v;
}
template <typename V>
inline void put(void* p, V v) {
  std::memcpy(p, &v, 16);
}

// A v128.store into guest memory as one 16-byte store instruction (movdqu on x86-64) in
// every build mode. A store that straddles the end of memory must fault before writing
// anything; memcpy is not enough: at -O0 (the ASan build) GCC splits a 16-byte memcpy into
// two 8-byte moves, and the first half lands before the second faults.
using UnalignedV128 = uint64_t __attribute__((vector_size(16), aligned(1), may_alias));
inline void store_to_memory(uint8_t* dst, const void* value) {
  *reinterpret_cast<UnalignedV128*>(dst) = *static_cast<const UnalignedV128*>(value);
}

// A comparison's lanes (0 or -1 as the signed vector type) as bits.
template <typename M>
inline u64x2 mask(M m) {
  return get<u64x2>(&m);
}

template <typename V>
inline V splat(Lane<V> x) {
  V v;
  for (uint32_t i = 0; i < lanes<V>(); ++i) v[i] = x;
  return v;
}

inline u8x16 swizzle(u8x16 a, u8x16 idx) {
  u8x16 r;
  for (int i = 0; i < 16; ++i) r[i] = idx[i] < 16 ? a[idx[i]] : 0;
  return r;
}
inline u8x16 shuffle(u8x16 a, u8x16 b, u8x16 idx) {
  u8x16 r;
  for (int i = 0; i < 16; ++i) r[i] = idx[i] < 16 ? a[idx[i]] : b[idx[i] & 15];
  return r;
}

template <typename V>
inline bool all_true(V a) {
  for (uint32_t i = 0; i < lanes<V>(); ++i)
    if (a[i] == 0) return false;
  return true;
}
template <typename V>
inline uint32_t bitmask(V a) {
  uint32_t m = 0;
  for (uint32_t i = 0; i < lanes<V>(); ++i) m |= static_cast<uint32_t>(a[i] < 0) << i;
  return m;
}

template <typename V>
inline V abs_lanes(V a) {
  V r;
  for (uint32_t i = 0; i < lanes<V>(); ++i) {
    using U = std::make_unsigned_t<Lane<V>>;
    U u = static_cast<U>(a[i]);
    r[i] = static_cast<Lane<V>>(a[i] < 0 ? static_cast<U>(0 - u) : u);
  }
  return r;
}
inline u8x16 popcnt(u8x16 a) {
  u8x16 r;
  for (int i = 0; i < 16; ++i) r[i] = static_cast<uint8_t>(std::popcount(a[i]));
  return r;
}

template <typename T>
inline T saturate(int64_t x) {
  if (x < static_cast<int64_t>(std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
  if (x > static_cast<int64_t>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  return static_cast<T>(x);
}
template <typename V>
inline V add_sat(V a, V b) {
  V r;
  for (uint32_t i = 0; i < lanes<V>(); ++i)
    r[i] = saturate<Lane<V>>(int64_t{a[i]} + int64_t{b[i]});
  return r;
}
template <typename V>
inline V sub_sat(V a, V b) {
  V r;
  for (uint32_t i = 0; i < lanes<V>(); ++i)
    r[i] = saturate<Lane<V>>(int64_t{a[i]} - int64_t{b[i]});
  return r;
}
template <typename V>
inline V avgr(V a, V b) {
  V r;
  for (uint32_t i = 0; i < lanes<V>(); ++i)
    r[i] = static_cast<Lane<V>>((uint32_t{a[i]} + uint32_t{b[i]} + 1) >> 1);
  return r;
}
inline i16x8 q15mulr(i16x8 a, i16x8 b) {
  i16x8 r;
  for (int i = 0; i < 8; ++i)
    r[i] = saturate<int16_t>((int32_t{a[i]} * int32_t{b[i]} + 0x4000) >> 15);
  return r;
}

// Narrowing with saturation: the lanes of a, then of b.
template <typename R, typename V>
inline R narrow(V a, V b) {
  R r;
  constexpr uint32_t n = lanes<V>();
  for (uint32_t i = 0; i < n; ++i) {
    r[i] = saturate<Lane<R>>(a[i]);
    r[i + n] = saturate<Lane<R>>(b[i]);
  }
  return r;
}
// The lanes from `first` on, widened (sign or zero by the source's lane type).
template <typename R, typename V>
inline R extend(V a, uint32_t first) {
  R r;
  for (uint32_t i = 0; i < lanes<R>(); ++i) r[i] = static_cast<Lane<R>>(a[first + i]);
  return r;
}
template <typename R, typename V>
inline R mul_wide(V a, V b, uint32_t first) {
  R r;
  for (uint32_t i = 0; i < 2; ++i)
    r[i] = static_cast<Lane<R>>(a[first + i]) * static_cast<Lane<R>>(b[first + i]);
  return r;
}
template <typename R, typename V>
inline R pairwise(V a) {
  R r;
  for (uint32_t i = 0; i < lanes<R>(); ++i)
    r[i] = static_cast<Lane<R>>(static_cast<Lane<R>>(a[2 * i]) + static_cast<Lane<R>>(a[2 * i + 1]));
  return r;
}
inline i32x4 dot(i16x8 a, i16x8 b) {
  i32x4 r;
  for (int i = 0; i < 4; ++i)
    r[i] = static_cast<int32_t>(static_cast<uint32_t>(int32_t{a[2 * i]} * b[2 * i]) +
                                static_cast<uint32_t>(int32_t{a[2 * i + 1]} * b[2 * i + 1]));
  return r;
}
inline i16x8 dot_i8(i8x16 a, i8x16 b) {
  i16x8 r;
  for (int i = 0; i < 8; ++i)
    r[i] = static_cast<int16_t>(int32_t{a[2 * i]} * b[2 * i] + int32_t{a[2 * i + 1]} * b[2 * i + 1]);
  return r;
}
inline i32x4 dot_i8_add(i8x16 a, i8x16 b, i8x16 c) {
  i16x8 d = dot_i8(a, b);
  i32x4 acc = get<i32x4>(&c);
  i32x4 r;
  for (int i = 0; i < 4; ++i)
    r[i] = static_cast<int32_t>(static_cast<uint32_t>(int32_t{d[2 * i]} + d[2 * i + 1]) +
                                static_cast<uint32_t>(acc[i]));
  return r;
}

template <typename V, typename F>
inline V each(V a, F f) {
  V r;
  for (uint32_t i = 0; i < lanes<V>(); ++i) r[i] = f(a[i]);
  return r;
}
template <typename V, typename F>
inline V each2(V a, V b, F f) {
  V r;
  for (uint32_t i = 0; i < lanes<V>(); ++i) r[i] = f(a[i], b[i]);
  return r;
}
template <typename V>
inline V pmin(V a, V b) {
  V r;
  for (uint32_t i = 0; i < lanes<V>(); ++i) r[i] = b[i] < a[i] ? b[i] : a[i];
  return r;
}
template <typename V>
inline V pmax(V a, V b) {
  V r;
  for (uint32_t i = 0; i < lanes<V>(); ++i) r[i] = a[i] < b[i] ? b[i] : a[i];
  return r;
}
// Unfused: the product is rounded before the sum (the compiled engine does the same).
template <typename V>
inline V madd(V a, V b, V c) {
  V r;
  for (uint32_t i = 0; i < lanes<V>(); ++i) {
    volatile Lane<V> product = a[i] * b[i];  // no contraction into an FMA
    r[i] = product + c[i];
  }
  return r;
}
inline f32x4 demote(f64x2 a) {
  f32x4 r = {static_cast<float>(a[0]), static_cast<float>(a[1]), 0.0f, 0.0f};
  return r;
}
inline f64x2 promote(f32x4 a) {
  f64x2 r = {static_cast<double>(a[0]), static_cast<double>(a[1])};
  return r;
}
template <typename I>
inline i32x4 trunc_sat4(f32x4 a) {
  i32x4 r;
  for (int i = 0; i < 4; ++i) r[i] = static_cast<int32_t>(numeric::trunc_sat<I>(a[i]));
  return r;
}
template <typename I>
inline i32x4 trunc_sat2(f64x2 a) {
  i32x4 r = {static_cast<int32_t>(numeric::trunc_sat<I>(a[0])),
             static_cast<int32_t>(numeric::trunc_sat<I>(a[1])), 0, 0};
  return r;
}
template <typename I, typename V>
inline f32x4 convert4(V a) {
  f32x4 r;
  for (int i = 0; i < 4; ++i) r[i] = static_cast<float>(static_cast<I>(a[i]));
  return r;
}
template <typename I, typename V>
inline f64x2 convert_low(V a) {
  f64x2 r = {static_cast<double>(static_cast<I>(a[0])), static_cast<double>(static_cast<I>(a[1]))};
  return r;
}

// Loads: 8 bytes widened lane by lane, one element splatted, 4 or 8 bytes zero-extended.
template <typename R, typename E>
inline R widen8(const uint8_t* raw) {
  R r;
  for (uint32_t i = 0; i < lanes<R>(); ++i) {
    E e;
    std::memcpy(&e, raw + i * sizeof(E), sizeof(E));
    r[i] = static_cast<Lane<R>>(e);
  }
  return r;
}
template <typename R, typename E>
inline R splat_bytes(const uint8_t* raw) {
  E e;
  std::memcpy(&e, raw, sizeof(E));
  return splat<R>(e);
}
template <size_t N>
inline u8x16 zero_extend(const uint8_t* raw) {
  u8x16 r = {};
  for (size_t i = 0; i < N; ++i) r[i] = raw[i];
  return r;
}

// The bodies of the operations (interp/simd_exec.cpp): `p` points at the operands'
// slots, the result goes to the first of them.
#define APERTURE_SIMD_OUTLINE inline
template <typename T, typename F>
APERTURE_SIMD_OUTLINE void bin(uint64_t* p, F f) {
  put(p, f(get<T>(p), get<T>(p + 2)));
}
template <typename T, typename F>
APERTURE_SIMD_OUTLINE void un(uint64_t* p, F f) {
  put(p, f(get<T>(p)));
}
template <typename T, typename F>
APERTURE_SIMD_OUTLINE void tern(uint64_t* p, F f) {
  put(p, f(get<T>(p), get<T>(p + 2), get<T>(p + 4)));
}
template <typename T, typename F>
APERTURE_SIMD_OUTLINE void test(uint64_t* p, F f) {
  p[0] = f(get<T>(p));
}
template <typename T, typename F>
APERTURE_SIMD_OUTLINE void shift(uint64_t* p, F f) {
  put(p, f(get<T>(p), static_cast<uint32_t>(p[2]) & (lane_bits<T>() - 1)));
}
APERTURE_SIMD_OUTLINE void shuffle_op(uint64_t* p, const uint64_t* lanes) {
  put(p, shuffle(get<u8x16>(p), get<u8x16>(p + 2), get<u8x16>(lanes)));
}
template <typename T>
APERTURE_SIMD_OUTLINE void splat_op(uint64_t* p) {
  put(p, splat<T>(static_cast<Lane<T>>(p[0])));
}
template <typename T, typename F>
APERTURE_SIMD_OUTLINE void extract_op(uint64_t* p, uint64_t lane, F conv) {
  p[0] = conv(get<T>(p)[lane & (lanes<T>() - 1)]);
}
template <typename T>
APERTURE_SIMD_OUTLINE void replace_op(uint64_t* p, uint64_t lane) {
  T v = get<T>(p);
  v[lane & (lanes<T>() - 1)] = static_cast<Lane<T>>(p[2]);
  put(p, v);
}
// Loads read guest memory at `mem` (a fault there is the guard zone's trap).
template <size_t Bytes, typename F>
APERTURE_SIMD_OUTLINE void load_op(uint64_t* p, const uint8_t* mem, F make) {
  uint8_t raw[Bytes];
  std::memcpy(raw, mem, Bytes);
  put(p, make(raw));
}
template <typename T, typename E>
APERTURE_SIMD_OUTLINE void load_lane_op(uint64_t* p, const uint8_t* mem, uint64_t lane) {
  T v = get<T>(p);
  E e;
  std::memcpy(&e, mem, sizeof(E));
  v[lane] = e;
  put(p - 1, v);  // over the address slot
}
template <typename T, typename E>
APERTURE_SIMD_OUTLINE void store_lane_op(const uint64_t* p, uint8_t* mem, uint64_t lane) {
  E e = get<T>(p)[lane];
  std::memcpy(mem, &e, sizeof(E));
}

}  // namespace aperture::simd
