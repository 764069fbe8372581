// Adaptive models for codebook indices: round trips up to 65,536 symbols and convergence to the entropy.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "entropy/adaptive_model.h"

namespace nicodec::entropy {
namespace {

class AdaptiveGrid : public ::testing::TestWithParam<uint32_t> {};

TEST_P(AdaptiveGrid, RoundTripsSkewedAndUniformSources) {
  const uint32_t n = GetParam();
  std::mt19937 rng(n);
  std::vector<uint32_t> v(60000);
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t r = static_cast<uint32_t>(std::min<double>(n - 1, std::floor(std::exponential_distribution<double>(0.05)(rng))));
    v[i] = (i % 3 == 0) ? rng() % n : r;  // mix of skewed and uniform
  }
  v.push_back(n - 1);
  v.push_back(0);
  auto bytes = encode_adaptive(v.data(), v.size(), n);
  std::vector<uint32_t> out(v.size());
  decode_adaptive(bytes.data(), bytes.size(), out.size(), n, out.data());
  EXPECT_EQ(out, v);
}

INSTANTIATE_TEST_SUITE_P(Alphabets, AdaptiveGrid, ::testing::Values(1u, 2u, 3u, 17u, 256u, 1024u, 4096u, 65536u));

TEST(AdaptiveModel, RejectsBadSymbolsAndSizes) {
  EXPECT_THROW(AdaptiveModel(0), UsageError);
  EXPECT_THROW(AdaptiveModel(65537), UsageError);
  AdaptiveModel m(10);
  RansEncoder enc;
  EXPECT_THROW(m.encode(enc, 10), UsageError);
}

TEST(AdaptiveModel, ApproachesTheEntropyOfAStationarySource) {
  // A Zipf-like source over 1024 codes; the cost after the first symbols should be near its entropy.
  const uint32_t n = 1024;
  std::vector<double> p(n);
  double z = 0;
  for (uint32_t i = 0; i < n; ++i) z += (p[i] = 1.0 / (i + 1));
  double h = 0;
  for (auto& x : p) {
    x /= z;
    h -= x * std::log2(x);
  }
  std::mt19937 rng(9);
  std::discrete_distribution<uint32_t> d(p.begin(), p.end());
  std::vector<uint32_t> v(500000);
  for (auto& x : v) x = d(rng);
  auto bytes = encode_adaptive(v.data(), v.size(), n);
  double bits_per_symbol = 8.0 * bytes.size() / v.size();
  EXPECT_LT(bits_per_symbol, h * 1.02) << "entropy " << h;
  EXPECT_GT(bits_per_symbol, h * 0.99);
}

TEST(AdaptiveModel, FollowsAChangeInStatistics) {
  AdaptiveModel m(4, 32, 1u << 12);  // a short window
  RansEncoder enc;
  for (int i = 0; i < 20000; ++i) m.encode(enc, 0);
  EXPECT_GT(m.probability(0), 0.99);
  for (int i = 0; i < 20000; ++i) m.encode(enc, 3);
  EXPECT_GT(m.probability(3), 0.9);
}

TEST(AdaptiveModel, CorruptedStreamsNeverCrash) {
  std::mt19937 rng(4);
  std::vector<uint32_t> v(5000);
  for (auto& x : v) x = rng() % 300;
  auto bytes = encode_adaptive(v.data(), v.size(), 300);
  int detected = 0;
  for (int trial = 0; trial < 200; ++trial) {
    auto bad = bytes;
    bad[rng() % bad.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    std::vector<uint32_t> out(v.size());
    try {
      decode_adaptive(bad.data(), bad.size(), out.size(), 300, out.data());
      for (auto x : out) ASSERT_LT(x, 300u);
    } catch (const FormatError&) {
      ++detected;
    }
  }
  EXPECT_GT(detected, 150);  // the final-state check catches nearly every corruption
}

}  // namespace
}  // namespace nicodec::entropy
