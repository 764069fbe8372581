#include "quant/formats/minifloat.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace nicodec::quant {
namespace {

uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float float_of(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

constexpr float kE2M1[8] = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f};

}  // namespace

uint16_t fp16_from_float(float f) {
  const uint32_t x = bits_of(f);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t ax = x & 0x7FFFFFFFu;
  if (ax >= 0x7F800000u) return static_cast<uint16_t>(sign | (ax > 0x7F800000u ? 0x7E00u : 0x7C00u));
  if (ax >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);  // >= 65520 rounds to inf
  if (ax < 0x38800000u) {  // below 2^-14: subnormal half, a multiple of 2^-24 (nearbyint: ties to even)
    const float m = std::nearbyint(float_of(ax) * 16777216.0f);
    return static_cast<uint16_t>(sign | static_cast<uint16_t>(m));
  }
  const uint32_t e = (ax >> 23) - 127 + 15, mant = ax & 0x7FFFFFu;
  uint32_t h = (e << 10) | (mant >> 13);
  const uint32_t rem = mant & 0x1FFFu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;  // a carry into the exponent is still correct
  return static_cast<uint16_t>(sign | h);
}

float fp16_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t e = (h >> 10) & 0x1Fu, m = h & 0x3FFu;
  if (e == 0) {
    const float v = std::ldexp(static_cast<float>(m), -24);
    return sign ? -v : v;
  }
  if (e == 31) return float_of(sign | 0x7F800000u | (m << 13));
  return float_of(sign | ((e - 15 + 127) << 23) | (m << 13));
}

float e4m3_to_float(uint8_t code) {
  const int e = (code >> 3) & 0xF, m = code & 7;
  float v;
  if (e == 15 && m == 7) return std::numeric_limits<float>::quiet_NaN();
  if (e == 0) v = std::ldexp(static_cast<float>(m) / 8.0f, -6);
  else v = std::ldexp(1.0f + static_cast<float>(m) / 8.0f, e - 7);
  return (code & 0x80) ? -v : v;
}

uint8_t e4m3_from_float(float f) {
  const uint8_t sign = std::signbit(f) ? 0x80 : 0;
  const float a = std::fabs(f);
  if (!(a < 448.0f)) return static_cast<uint8_t>(sign | 0x7E);  // 448 (and saturation of larger values, NaN)
  // Nearest of the 127 non-negative finite codes, ties to the even code. Codes are monotone in value.
  uint8_t lo = 0, hi = 0x7E;
  while (hi - lo > 1) {
    const uint8_t mid = static_cast<uint8_t>((lo + hi) / 2);
    if (e4m3_to_float(mid) <= a) lo = mid;
    else hi = mid;
  }
  const float dl = a - e4m3_to_float(lo), dh = e4m3_to_float(hi) - a;
  const uint8_t pick = (dl < dh || (dl == dh && !(lo & 1))) ? lo : hi;
  return static_cast<uint8_t>(sign | pick);
}

uint8_t e8m0_from_exponent(int e) {
  if (e < -127) e = -127;
  if (e > 127) e = 127;
  return static_cast<uint8_t>(e + 127);
}

float e8m0_to_float(uint8_t code) {
  if (code == 255) return std::numeric_limits<float>::quiet_NaN();
  return std::ldexp(1.0f, static_cast<int>(code) - 127);
}

uint8_t e2m1_from_float(float f) {
  const uint8_t sign = std::signbit(f) ? 8 : 0;
  const float a = std::fabs(f);
  if (!(a < 6.0f)) return static_cast<uint8_t>(sign | 7);
  uint8_t best = 0;
  for (uint8_t i = 1; i < 8; ++i) {
    const float d = std::fabs(a - kE2M1[i]), db = std::fabs(a - kE2M1[best]);
    if (d < db || (d == db && !(i & 1))) best = i;
  }
  return static_cast<uint8_t>(sign | best);
}

float e2m1_to_float(uint8_t code) {
  const float v = kE2M1[code & 7];
  return (code & 8) ? -v : v;
}

}  // namespace nicodec::quant
