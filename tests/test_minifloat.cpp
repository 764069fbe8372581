// Minifloat conversions: exhaustive round trips and nearest-value rounding checked against naive scans.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "quant/formats/minifloat.h"

namespace nicodec::quant {
namespace {

TEST(Minifloat, Fp16KnownValuesAndExhaustiveRoundTrip) {
  EXPECT_EQ(fp16_from_float(1.0f), 0x3C00);
  EXPECT_EQ(fp16_from_float(-2.0f), 0xC000);
  EXPECT_EQ(fp16_from_float(65504.0f), 0x7BFF);
  EXPECT_EQ(fp16_from_float(65519.0f), 0x7BFF);
  EXPECT_EQ(fp16_from_float(65520.0f), 0x7C00);  // the tie rounds to even: infinity
  EXPECT_EQ(fp16_from_float(std::ldexp(1.0f, -24)), 0x0001);
  EXPECT_EQ(fp16_from_float(std::ldexp(1.0f, -26)), 0x0000);
  EXPECT_EQ(fp16_from_float(1.0f + std::ldexp(1.0f, -11)), 0x3C00);  // tie between 1 and 1+2^-10: even
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = fp16_to_float(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(fp16_from_float(f), h) << std::hex << h;
  }
}

TEST(Minifloat, Fp16RoundsToTheNearestNeighbour) {
  std::mt19937 rng(1);
  for (int i = 0; i < 200000; ++i) {
    const float f = std::ldexp(std::uniform_real_distribution<float>(-1, 1)(rng), static_cast<int>(rng() % 40) - 25);
    const uint16_t h = fp16_from_float(f);
    const double err = std::fabs(double(f) - fp16_to_float(h));
    for (int d : {-1, 1}) {
      const uint16_t n = static_cast<uint16_t>(h + d);
      if ((n & 0x7C00) == 0x7C00 || ((n ^ h) & 0x8000)) continue;
      ASSERT_LE(err, std::fabs(double(f) - fp16_to_float(n))) << f;
    }
  }
}

TEST(Minifloat, E4M3AllCodesAndNearestWithTiesToEven) {
  EXPECT_EQ(e4m3_to_float(0x7E), 448.0f);
  EXPECT_EQ(e4m3_to_float(0x38), 1.0f);
  EXPECT_EQ(e4m3_to_float(0x01), std::ldexp(1.0f, -9));
  EXPECT_TRUE(std::isnan(e4m3_to_float(0x7F)));
  EXPECT_EQ(e4m3_from_float(1e9f), 0x7E);  // saturates
  for (int c = 0; c < 256; ++c) {
    if ((c & 0x7F) == 0x7F) continue;
    ASSERT_EQ(e4m3_from_float(e4m3_to_float(static_cast<uint8_t>(c))), c) << c;
  }
  // Naive nearest over every code, ties to the even code.
  std::mt19937 rng(2);
  for (int i = 0; i < 50000; ++i) {
    const float f = std::uniform_real_distribution<float>(0, 460)(rng) * (i % 2 ? 1.0f : 1.0f / 256);
    int best = 0;
    for (int c = 1; c < 0x7F; ++c) {
      const float d = std::fabs(f - e4m3_to_float(static_cast<uint8_t>(c))), db = std::fabs(f - e4m3_to_float(static_cast<uint8_t>(best)));
      if (d < db || (d == db && !(c & 1))) best = c;
    }
    ASSERT_EQ(e4m3_from_float(f), best) << f;
  }
  // Exact midpoints between neighbouring codes go to the even one.
  for (int c = 1; c < 0x7E; ++c) {
    const float mid = (e4m3_to_float(static_cast<uint8_t>(c)) + e4m3_to_float(static_cast<uint8_t>(c + 1))) / 2;
    ASSERT_EQ(e4m3_from_float(mid), (c & 1) ? c + 1 : c) << c;
  }
}

TEST(Minifloat, E8M0AndE2M1) {
  for (int e = -127; e <= 127; ++e) ASSERT_EQ(e8m0_to_float(e8m0_from_exponent(e)), std::ldexp(1.0f, e));
  EXPECT_EQ(e8m0_from_exponent(500), 254);
  const float grid[8] = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6};
  for (int c = 0; c < 16; ++c) {
    EXPECT_EQ(std::fabs(e2m1_to_float(static_cast<uint8_t>(c))), grid[c & 7]);
    if (c != 8) EXPECT_EQ(e2m1_from_float(e2m1_to_float(static_cast<uint8_t>(c))), c);  // -0 encodes as 8 too
  }
  EXPECT_EQ(e2m1_from_float(0.25f), 0);   // tie 0 / 0.5 -> 0 (even)
  EXPECT_EQ(e2m1_from_float(0.75f), 2);   // tie 0.5 / 1 -> 1
  EXPECT_EQ(e2m1_from_float(2.5f), 4);    // tie 2 / 3 -> 2
  EXPECT_EQ(e2m1_from_float(5.0f), 6);    // tie 4 / 6 -> 4
  EXPECT_EQ(e2m1_from_float(-100.0f), 15);
  EXPECT_EQ(e2m1_from_float(5.01f), 7);
}

}  // namespace
}  // namespace nicodec::quant
