// rANS core: exact round trips of raw intervals over a grid of precisions and lengths, stream checks.
#include <gtest/gtest.h>

#include <random>
#include <tuple>

#include "entropy/rans.h"

namespace nicodec::entropy {
namespace {

struct Op {
  uint32_t start, freq, scale;
};

std::vector<Op> random_ops(size_t n, uint32_t scale, std::mt19937& rng) {
  std::vector<Op> ops(n);
  for (auto& op : ops) {
    uint32_t total = 1u << scale;
    std::uniform_int_distribution<uint32_t> f(1, total);
    op.freq = f(rng);
    op.start = std::uniform_int_distribution<uint32_t>(0, total - op.freq)(rng);
    op.scale = scale;
  }
  return ops;
}

class RansGrid : public ::testing::TestWithParam<std::tuple<uint32_t, size_t>> {};

TEST_P(RansGrid, IntervalsRoundTrip) {
  auto [scale, n] = GetParam();
  std::mt19937 rng(scale * 1000 + static_cast<uint32_t>(n));
  auto ops = random_ops(n, scale, rng);
  RansEncoder enc;
  for (auto& op : ops) enc.put(op.start, op.freq, op.scale);
  auto bytes = enc.finish();
  EXPECT_EQ(enc.pending(), 0u);
  RansDecoder dec(bytes.data(), bytes.size());
  for (auto& op : ops) {
    uint32_t slot = dec.peek(op.scale);
    ASSERT_GE(slot, op.start);
    ASSERT_LT(slot, op.start + op.freq);
    dec.advance(op.start, op.freq, op.scale);
  }
  EXPECT_NO_THROW(dec.finish());
}

INSTANTIATE_TEST_SUITE_P(ScalesAndLengths, RansGrid,
                         ::testing::Combine(::testing::Values(0u, 1u, 8u, 12u, 16u, 20u, 24u),
                                            ::testing::Values(size_t{0}, size_t{1}, size_t{3}, size_t{4},
                                                              size_t{5}, size_t{1000}, size_t{100003})));

TEST(Rans, EmptyStreamIsJustTheStates) {
  RansEncoder enc;
  auto bytes = enc.finish();
  EXPECT_EQ(bytes.size(), 8u * kRansLanes);
  RansDecoder dec(bytes.data(), bytes.size());
  EXPECT_NO_THROW(dec.finish());
}

TEST(Rans, CertainSymbolsCostNothing) {
  RansEncoder enc;
  for (int i = 0; i < 100000; ++i) enc.put(0, 1u << 16, 16);
  EXPECT_EQ(enc.finish().size(), 8u * kRansLanes);
}

TEST(Rans, RawBitsRoundTrip) {
  std::mt19937 rng(7);
  std::vector<std::pair<uint32_t, uint32_t>> bits;
  RansEncoder enc;
  for (int i = 0; i < 20000; ++i) {
    uint32_t nb = rng() % 17, v = rng() & ((1u << nb) - 1);
    bits.emplace_back(v, nb);
    enc.put_bits(v, nb);
  }
  auto bytes = enc.finish();
  RansDecoder dec(bytes.data(), bytes.size());
  for (auto [v, nb] : bits) ASSERT_EQ(dec.get_bits(nb), v);
  dec.finish();
}

TEST(Rans, RejectsInvalidIntervals) {
  RansEncoder enc;
  EXPECT_THROW(enc.put(0, 0, 16), UsageError);
  EXPECT_THROW(enc.put(65535, 2, 16), UsageError);
  EXPECT_THROW(enc.put(0, 1, 25), UsageError);
}

TEST(Rans, TruncatedAndShortStreamsThrow) {
  std::mt19937 rng(3);
  auto ops = random_ops(5000, 16, rng);
  RansEncoder enc;
  for (auto& op : ops) enc.put(op.start, op.freq, op.scale);
  auto bytes = enc.finish();
  EXPECT_THROW(RansDecoder(bytes.data(), 8 * kRansLanes - 1), FormatError);
  for (size_t cut : {bytes.size() - 1, bytes.size() - 4, bytes.size() / 2}) {
    EXPECT_THROW(
        {
          RansDecoder dec(bytes.data(), cut);
          for (auto& op : ops) dec.advance(op.start, op.freq, op.scale);
          dec.finish();
        },
        FormatError)
        << cut;
  }
}

}  // namespace
}  // namespace nicodec::entropy
