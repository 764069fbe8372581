// Weight formats: layouts, exact cases, and SQNR against what theory predicts.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>

#include "core/error.h"
#include "quant/formats/hadamard.h"
#include "quant/formats/minifloat.h"
#include "quant/formats/weight_formats.h"

namespace nicodec::quant {
namespace {

constexpr int64_t kRows = 128, kCols = 1024;

std::vector<float> gaussian(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0, 0.02f);
  std::vector<float> w(static_cast<size_t>(n));
  for (auto& x : w) x = g(rng);
  return w;
}

// Gaussian with 1% outliers 12x larger: the heavy tails trained conv weights often show.
std::vector<float> heavy_tailed(int64_t n, uint32_t seed) {
  std::vector<float> w = gaussian(n, seed);
  std::mt19937 rng(seed + 1);
  for (auto& x : w)
    if (rng() % 100 == 0) x *= 12;
  return w;
}

double roundtrip_sqnr(WeightFormat f, const std::vector<float>& w, int64_t rows, int64_t cols, QuantizedWeights* out = nullptr) {
  QuantizedWeights q = quantize_reference(f, w.data(), rows, cols);
  std::vector<float> back(w.size());
  dequantize_reference(q, back.data());
  if (out) *out = q;
  return sqnr_db(w.data(), back.data(), w.size());
}

TEST(WeightFormats, StorageMatchesTheDocumentedLayouts) {
  const auto w = gaussian(kRows * kCols, 1);
  const double expected[] = {8.0, 4.5, 4.25, 1.6, 1.0, 4.25, 4.5};
  size_t i = 0;
  for (WeightFormat f : all_formats()) {
    QuantizedWeights q = quantize_reference(f, w.data(), kRows, kCols);
    const double data_bits = 8.0 * q.data.size() / (kRows * kCols);
    EXPECT_NEAR(data_bits, expected[i++], 0.01) << format_name(f);
    EXPECT_EQ(parse_format(format_name(f)), f);
  }
}

TEST(WeightFormats, Int8AndInt4MatchTheUniformNoiseModel) {
  // Theory: rounding to a grid of step d adds noise of variance d^2 / 12 (no clipping: d = amax / qmax).
  const auto w = gaussian(kRows * kCols, 2);
  double signal = 0;
  for (float x : w) signal += double(x) * x;
  QuantizedWeights q;
  const double s8 = roundtrip_sqnr(WeightFormat::kInt8, w, kRows, kCols, &q);
  double noise = 0;
  for (float d : q.row_scales) noise += double(d) * d / 12.0 * kCols;
  EXPECT_NEAR(s8, 10 * std::log10(signal / noise), 0.3);
  EXPECT_GT(s8, 40.0);
  for (auto [f, n] : {std::pair{WeightFormat::kInt4G32, 32}, {WeightFormat::kInt4G64, 64}}) {
    const double s4 = roundtrip_sqnr(f, w, kRows, kCols, &q);
    noise = 0;
    const size_t bsize = n == 32 ? sizeof(BlockInt4x32) : sizeof(BlockInt4x64);
    for (size_t b = 0; b < q.data.size(); b += bsize) {
      uint16_t dh;
      std::memcpy(&dh, &q.data[b], 2);
      const double d = fp16_to_float(dh);
      noise += d * d / 12.0 * n;
    }
    EXPECT_NEAR(s4, 10 * std::log10(signal / noise), 0.3) << format_name(f);
    EXPECT_GT(s4, 19.0) << format_name(f);
  }
}

TEST(WeightFormats, BinaryAndTernaryMatchTheirGaussianOptimum) {
  const auto w = gaussian(kRows * kCols, 3);
  // Binary sign * E|w|: relative error 1 - 2/pi.
  EXPECT_NEAR(roundtrip_sqnr(WeightFormat::kBinary, w, kRows, kCols), -10 * std::log10(1 - 2 / M_PI), 0.1);
  // Ternary absmean: g = E|w| = sqrt(2/pi), threshold g/2; for a unit Gaussian
  // MSE = 1 - 2 g E[|w|; |w| > t] + g^2 P(|w| > t), E[|w|; |w| > t] = 2 phi(t), P = erfc(t / sqrt 2).
  const double g = std::sqrt(2 / M_PI), t = g / 2, phi = std::exp(-t * t / 2) / std::sqrt(2 * M_PI);
  const double mse = 1 - 2 * g * 2 * phi + g * g * std::erfc(t / std::sqrt(2.0));
  EXPECT_NEAR(roundtrip_sqnr(WeightFormat::kTernary, w, kRows, kCols), -10 * std::log10(mse), 0.15);
}

TEST(WeightFormats, Fp4FormatsAreExactOnTheirGridAndOrderedOnGaussians) {
  // A block holding the E2M1 grid times 2^k is represented exactly by MXFP4.
  const float grid[8] = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6};
  std::vector<float> w(64);
  for (int j = 0; j < 64; ++j) w[j] = std::ldexp(grid[j % 8] * ((j / 8) % 2 ? -1.0f : 1.0f), j < 32 ? -5 : 3);
  EXPECT_TRUE(std::isinf(roundtrip_sqnr(WeightFormat::kMxfp4, w, 1, 64)));
  const auto g = gaussian(kRows * kCols, 4);
  const double mx = roundtrip_sqnr(WeightFormat::kMxfp4, g, kRows, kCols);
  const double nv = roundtrip_sqnr(WeightFormat::kNvfp4, g, kRows, kCols);
  // NVFP4's finer (16-element, E4M3) scales beat MXFP4's power-of-two scales on 32 elements.
  EXPECT_GT(nv, mx + 1.0);
  EXPECT_GT(mx, 15.0);
  EXPECT_LT(mx, 22.0);
  EXPECT_GT(nv, 18.0);
  EXPECT_LT(nv, 24.0);
}

TEST(WeightFormats, OddRowLengthsAndZeroRowsWork) {
  auto w = gaussian(7 * 75, 5);  // a 3x5x5 conv: 75 per row, not a multiple of any block
  for (int j = 0; j < 75; ++j) w[j] = 0;  // an all-zero row
  for (WeightFormat f : all_formats()) {
    QuantizedWeights q = quantize_reference(f, w.data(), 7, 75);
    std::vector<float> back(w.size(), 99.0f);
    dequantize_reference(q, back.data());
    for (int j = 0; j < 75; ++j) ASSERT_EQ(back[j], 0.0f) << format_name(f);
    EXPECT_GT(sqnr_db(w.data() + 75, back.data() + 75, w.size() - 75), 3.0) << format_name(f);
  }
}

TEST(WeightFormats, RejectsBadInput) {
  std::vector<float> w = {1.0f, NAN};
  EXPECT_THROW(quantize_reference(WeightFormat::kInt8, w.data(), 1, 2), UsageError);
  EXPECT_THROW(parse_format("int3"), UsageError);
  QuantizedWeights q = quantize_reference(WeightFormat::kInt8, w.data(), 1, 1);
  q.data.push_back(0);
  std::vector<float> out(1);
  EXPECT_THROW(dequantize_reference(q, out.data()), UsageError);
}

TEST(Hadamard, IsOrthonormalAndItsOwnInverse) {
  auto x = gaussian(256, 6);
  auto y = x;
  double n0 = 0, n1 = 0;
  hadamard_transform(y.data(), 256);
  for (size_t i = 0; i < x.size(); ++i) n0 += double(x[i]) * x[i], n1 += double(y[i]) * y[i];
  EXPECT_NEAR(n1 / n0, 1.0, 1e-5);
  hadamard_transform(y.data(), 256);
  for (size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(y[i], x[i], 1e-6);
  EXPECT_THROW(hadamard_transform(y.data(), 100), UsageError);
}

// Rotation spreads an outlier over its block. That helps formats whose scale is coarse (int4 per 32, MXFP4's
// power-of-two scales); NVFP4's 16-element E4M3 scales already absorb outliers, and there it gains nothing.
TEST(Hadamard, RotationHelpsHeavyTailsInCoarselyScaledFormats) {
  const auto w = heavy_tailed(kRows * kCols, 7);
  for (WeightFormat f : {WeightFormat::kInt4G32, WeightFormat::kInt4G64, WeightFormat::kMxfp4, WeightFormat::kNvfp4}) {
    const double plain = roundtrip_sqnr(f, w, kRows, kCols);
    auto r = w;
    hadamard_rotate_rows(r.data(), kRows, kCols, 64);
    QuantizedWeights q = quantize_reference(f, r.data(), kRows, kCols);
    std::vector<float> back(r.size());
    dequantize_reference(q, back.data());
    hadamard_rotate_rows(back.data(), kRows, kCols, 64);  // rotate back: H is its own inverse
    const double rotated = sqnr_db(w.data(), back.data(), w.size());
    std::printf("%-8s heavy-tailed: %.2f dB plain, %.2f dB rotated\n", format_name(f), plain, rotated);
    if (f == WeightFormat::kNvfp4) EXPECT_NEAR(rotated, plain, 1.0);
    else EXPECT_GT(rotated, plain + 1.0) << format_name(f);
  }
}

}  // namespace
}  // namespace nicodec::quant
