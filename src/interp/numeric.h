// Numeric semantics of WebAssembly that C++ does not give directly (IEEE min/max with
// NaN and signed zeros, trapping and saturating float-to-int conversions).
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace aperture::numeric {

inline float f32_of(uint64_t s) { return std::bit_cast<float>(static_cast<uint32_t>(s)); }
inline double f64_of(uint64_t s) { return std::bit_cast<double>(s); }
inline uint64_t slot_of(float f) { return std::bit_cast<uint32_t>(f); }
inline uint64_t slot_of(double d) { return std::bit_cast<uint64_t>(d); }

// Sets the quiet bit of a NaN (an "arithmetic NaN" in the spec's terms).
inline float quiet(float x) { return std::bit_cast<float>(std::bit_cast<uint32_t>(x) | 0x00400000u); }
inline double quiet(double x) {
  return std::bit_cast<double>(std::bit_cast<uint64_t>(x) | 0x0008000000000000ull);
}

// libm's rounding functions return a signalling NaN unchanged; wasm wants it quieted.
template <typename F> F wasm_ceil(F x) { return std::isnan(x) ? quiet(x) : std::ceil(x); }
template <typename F> F wasm_floor(F x) { return std::isnan(x) ? quiet(x) : std::floor(x); }
template <typename F> F wasm_trunc(F x) { return std::isnan(x) ? quiet(x) : std::trunc(x); }
template <typename F> F wasm_nearest(F x) { return std::isnan(x) ? quiet(x) : std::nearbyint(x); }

template <typename F>
F wasm_min(F a, F b) {
  if (std::isnan(a)) return quiet(a);
  if (std::isnan(b)) return quiet(b);
  if (a == b) return std::signbit(a) ? a : b;          // min(-0, +0) = -0
  return a < b ? a : b;
}

template <typename F>
F wasm_max(F a, F b) {
  if (std::isnan(a)) return quiet(a);
  if (std::isnan(b)) return quiet(b);
  if (a == b) return std::signbit(a) ? b : a;          // max(-0, +0) = +0
  return a > b ? a : b;
}

// Float-to-int range checks: `in_range` is false for NaN too.
template <typename I, typename F>
bool trunc_in_range(F x) {
  if constexpr (std::is_signed_v<I>) {
    constexpr F lo = static_cast<F>(std::numeric_limits<I>::min());  // exact power of two
    constexpr F hi = -lo;
    F t = std::trunc(x);  // -2147483648.9 truncates into range
    return t >= lo && t < hi;
  } else {
    constexpr F hi = static_cast<F>(std::numeric_limits<I>::max() / 2 + 1) * 2;  // 2^bits
    return x > static_cast<F>(-1) && x < hi;
  }
}

template <typename I, typename F>
I trunc_sat(F x) {
  if (std::isnan(x)) return 0;
  if (trunc_in_range<I, F>(x)) return static_cast<I>(x);
  return x < 0 ? std::numeric_limits<I>::min() : std::numeric_limits<I>::max();
}

}  // namespace aperture::numeric
