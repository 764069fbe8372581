// CABAC engine and contexts: exact round trips over a grid, efficiency on stationary sources, bad streams.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <tuple>

#include "entropy/cabac.h"

namespace nicodec::entropy {
namespace {

double binary_entropy(double p) { return (p <= 0 || p >= 1) ? 0 : -p * std::log2(p) - (1 - p) * std::log2(1 - p); }

struct Bin {
  uint8_t kind;  // 0 context, 1 bypass, 2 fixed p1, 3 terminate
  uint32_t ctx, value, p1;
};

class CabacGrid : public ::testing::TestWithParam<std::tuple<double, int, size_t>> {};

// A mix of context-coded, bypass, fixed-probability and terminate bins over several contexts.
TEST_P(CabacGrid, MixedBinsRoundTrip) {
  auto [p, num_ctx, n] = GetParam();
  std::mt19937 rng(static_cast<uint32_t>(p * 1e6) + static_cast<uint32_t>(n));
  std::bernoulli_distribution src(p);
  std::vector<Bin> bins(n);
  for (auto& b : bins) {
    uint32_t r = rng() % 20;
    b.kind = r < 14 ? 0 : (r < 17 ? 1 : (r < 19 ? 2 : 3));
    b.ctx = rng() % static_cast<uint32_t>(num_ctx);
    b.p1 = 1 + rng() % 65535;
    b.value = b.kind == 1 ? rng() & 1 : (b.kind == 3 ? 0 : src(rng));
  }
  std::vector<BinContext> ectx(static_cast<size_t>(num_ctx), BinContext(4, 7)), dctx = ectx;
  CabacEncoder enc;
  for (auto& b : bins) {
    if (b.kind == 0) enc.encode(ectx[b.ctx], b.value);
    else if (b.kind == 1) enc.encode_bypass(b.value, 1);
    else if (b.kind == 2) enc.encode_with_p1(b.value, b.p1);
    else enc.encode_terminate(0);
  }
  enc.encode_terminate(1);
  auto bytes = enc.finish();
  CabacDecoder dec(bytes.data(), bytes.size());
  for (auto& b : bins) {
    uint32_t v = b.kind == 0 ? dec.decode(dctx[b.ctx])
                             : (b.kind == 1 ? dec.decode_bypass(1) : (b.kind == 2 ? dec.decode_with_p1(b.p1) : dec.decode_terminate()));
    ASSERT_EQ(v, b.value);
  }
  EXPECT_EQ(dec.decode_terminate(), 1u);
  EXPECT_NO_THROW(dec.finish());
}

INSTANTIATE_TEST_SUITE_P(ProbabilitiesContextsLengths, CabacGrid,
                         ::testing::Combine(::testing::Values(0.0, 1e-4, 0.01, 0.3, 0.5, 0.9, 0.9999, 1.0),
                                            ::testing::Values(1, 7),
                                            ::testing::Values(size_t{0}, size_t{1}, size_t{17}, size_t{50000})));

TEST(Cabac, AllOnesAllZerosAndLongRuns) {
  for (uint32_t bit : {0u, 1u}) {
    BinContext e, d;
    CabacEncoder enc;
    for (int i = 0; i < 1000000; ++i) enc.encode(e, bit);
    auto bytes = enc.finish();
    EXPECT_LT(bytes.size(), 2000u);  // ~1/65536.. bits per bin at the probability floor
    CabacDecoder dec(bytes.data(), bytes.size());
    for (int i = 0; i < 1000000; ++i) ASSERT_EQ(dec.decode(d), bit);
    dec.finish();
  }
}

TEST(Cabac, BypassWordsRoundTrip) {
  std::mt19937 rng(2);
  std::vector<std::pair<uint32_t, int>> words;
  CabacEncoder enc;
  for (int i = 0; i < 20000; ++i) {
    int nb = static_cast<int>(rng() % 33);
    uint32_t v = nb == 32 ? rng() : rng() & ((1u << nb) - 1);
    words.emplace_back(v, nb);
    enc.encode_bypass(v, nb);
  }
  auto bytes = enc.finish();
  CabacDecoder dec(bytes.data(), bytes.size());
  for (auto [v, nb] : words) ASSERT_EQ(dec.decode_bypass(nb), v);
  dec.finish();
  // Bypass bins cost one bit each, plus the 4-byte flush.
  size_t total_bits = 0;
  for (auto& w : words) total_bits += static_cast<size_t>(w.second);
  EXPECT_LE(bytes.size(), total_bits / 8 + 6);
}

// Efficiency on a stationary source: after warm-up, within 1% of the entropy of the bins actually coded.
TEST(Cabac, WithinOnePercentOfEntropyOnStationarySources) {
  for (double p : {0.5, 0.3, 0.1, 0.03}) {
    std::mt19937 rng(static_cast<uint32_t>(p * 1000));
    std::bernoulli_distribution src(p);
    BinContext ctx = BinContext::stationary();
    CabacEncoder enc;
    for (int i = 0; i < 20000; ++i) enc.encode(ctx, src(rng));
    const size_t warm = enc.bytes_so_far();
    const size_t n = 2000000;
    size_t ones = 0;
    for (size_t i = 0; i < n; ++i) {
      uint32_t b = src(rng);
      ones += b;
      enc.encode(ctx, b);
    }
    const double coded = 8.0 * (enc.finish().size() - warm);
    const double h = n * binary_entropy(double(ones) / n);
    EXPECT_LT(coded, h * 1.01) << "p = " << p;
    std::printf("p = %.2f: %.3f%% above the entropy\n", p, 100 * (coded / h - 1));
    EXPECT_GT(coded, h * 0.995) << "p = " << p;
  }
}

TEST(Cabac, DualRateContextTracksAChange) {
  BinContext ctx;
  for (int i = 0; i < 300; ++i) ctx.update(0);
  EXPECT_LT(ctx.p1(), 65536 * 0.05);
  for (int i = 0; i < 60; ++i) ctx.update(1);
  EXPECT_GT(ctx.p1(), 65536 * 0.5);  // the fast half follows within tens of bins
}

TEST(Cabac, RejectsShortTruncatedAndOverlongStreams) {
  const uint8_t three[3] = {0, 0, 0};
  EXPECT_THROW(CabacDecoder(three, 3), FormatError);
  std::mt19937 rng(8);
  BinContext e;
  CabacEncoder enc;
  std::vector<uint32_t> bins(20000);
  for (auto& b : bins) enc.encode(e, b = (rng() % 3 == 0));
  auto bytes = enc.finish();
  EXPECT_THROW(
      {
        BinContext d;
        CabacDecoder dec(bytes.data(), bytes.size() - 1);
        for (size_t i = 0; i < bins.size(); ++i) dec.decode(d);
        dec.finish();
      },
      FormatError);
  bytes.push_back(0);
  EXPECT_THROW(
      {
        BinContext d;
        CabacDecoder dec(bytes.data(), bytes.size());
        for (size_t i = 0; i < bins.size(); ++i) dec.decode(d);
        dec.finish();
      },
      FormatError);
}

}  // namespace
}  // namespace nicodec::entropy
