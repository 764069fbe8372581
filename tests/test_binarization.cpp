// Binarizations: round trips over their parameter grids, bin counts against the definitions, bad streams.
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "entropy/binarization.h"

namespace nicodec::entropy {
namespace {

TEST(Binarization, FixedLengthAllWidths) {
  std::mt19937 rng(1);
  CabacEncoder enc;
  std::vector<std::pair<uint32_t, int>> v;
  for (int nb = 0; nb <= 32; ++nb)
    for (int i = 0; i < 50; ++i) {
      uint32_t x = nb == 32 ? rng() : rng() & ((1u << nb) - 1);
      v.emplace_back(x, nb);
      encode_fixed_length(enc, x, nb);
    }
  auto bytes = enc.finish();
  CabacDecoder dec(bytes.data(), bytes.size());
  for (auto [x, nb] : v) ASSERT_EQ(decode_fixed_length(dec, nb), x);
  dec.finish();
}

TEST(Binarization, TruncatedUnaryGrid) {
  for (uint32_t max : {0u, 1u, 2u, 5u, 30u}) {
    for (int nctx : {1, 3}) {
      std::vector<BinContext> ec(static_cast<size_t>(nctx)), dc(static_cast<size_t>(nctx));
      CabacEncoder enc;
      std::vector<uint32_t> v;
      for (uint32_t x = 0; x <= max; ++x)
        for (int r = 0; r < 5; ++r) v.push_back(x);
      for (auto x : v) encode_truncated_unary(enc, x, max, ec.data(), nctx);
      auto bytes = enc.finish();
      CabacDecoder dec(bytes.data(), bytes.size());
      for (auto x : v) ASSERT_EQ(decode_truncated_unary(dec, max, dc.data(), nctx), x);
      dec.finish();
    }
  }
  BinContext c;
  CabacEncoder enc;
  EXPECT_THROW(encode_truncated_unary(enc, 3, 2, &c, 1), UsageError);
}

// Bins an Exp-Golomb-k code takes by its definition: 2 * floor(log2(v / 2^k + 1)) + 1 + k.
int eg_length(uint32_t v, int k) {
  uint64_t q = (uint64_t{v} >> k) + 1;
  int m = 63 - __builtin_clzll(q);
  return 2 * m + 1 + k;
}

TEST(Binarization, ExpGolombGridAndLengths) {
  std::vector<uint32_t> vals = {0, 1, 2, 3, 7, 8, 100, 65535, 65536, 1u << 31, std::numeric_limits<uint32_t>::max()};
  for (int k : {0, 1, 2, 5, 16, 31}) {
    for (uint32_t v : vals) {
      // Length check: bypass bins are exactly one bit each, so a lone code fills eg_length bits.
      CabacEncoder e1;
      encode_exp_golomb(e1, v, k);
      auto one = e1.finish();
      EXPECT_LE(one.size() * 8, static_cast<size_t>(eg_length(v, k)) + 40) << v << " k=" << k;
    }
    CabacEncoder enc;
    for (uint32_t v : vals) encode_exp_golomb(enc, v, k);
    auto bytes = enc.finish();
    CabacDecoder dec(bytes.data(), bytes.size());
    for (uint32_t v : vals) ASSERT_EQ(decode_exp_golomb(dec, k), v) << "k=" << k;
    dec.finish();
  }
}

TEST(Binarization, OverlongExpGolombPrefixIsAnError) {
  CabacEncoder enc;
  for (int i = 0; i < 40; ++i) enc.encode_bypass(1, 1);  // no valid 32-bit code has a 33-bin prefix
  auto bytes = enc.finish();
  CabacDecoder dec(bytes.data(), bytes.size());
  EXPECT_THROW(decode_exp_golomb(dec, 0), FormatError);
}

TEST(Binarization, GarbageDecodesTerminate) {
  std::mt19937 rng(12);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<uint8_t> junk(1 + rng() % 64);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    if (junk.size() < 4) continue;
    SignedIntContexts ctx;
    BinContext gamma_zero;
    SignedGammaContexts gamma;
    try {
      CabacDecoder dec(junk.data(), junk.size());
      for (int i = 0; i < 1000; ++i) {
        decode_exp_golomb(dec, i % 4);
        decode_signed(dec, ctx);
        decode_signed_gamma(dec, gamma_zero, gamma);
      }
    } catch (const FormatError&) {
      continue;  // expected: runs out of bytes or hits an overlong prefix
    }
    FAIL() << "1000 codes decoded from " << junk.size() << " random bytes";
  }
}

TEST(Binarization, SignedValuesIncludingExtremes) {
  std::mt19937 rng(3);
  std::vector<int32_t> v = {0, 1, -1, 8, -8, 9, -9, std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min()};
  for (int i = 0; i < 30000; ++i) v.push_back(static_cast<int32_t>(std::lround(std::normal_distribution<double>(0, 3)(rng))));
  SignedIntContexts ec, dc;
  CabacEncoder enc;
  for (auto x : v) encode_signed(enc, x, ec);
  auto bytes = enc.finish();
  CabacDecoder dec(bytes.data(), bytes.size());
  for (auto x : v) ASSERT_EQ(decode_signed(dec, dc), x);
  dec.finish();
}

TEST(Binarization, SignedGammaGridAndExtremes) {
  std::mt19937 rng(5);
  std::vector<int32_t> v = {0, 1, -1, 2, -3, 4, 7, -8, 255, 256, -1023, 1 << 20, std::numeric_limits<int32_t>::max(),
                            -std::numeric_limits<int32_t>::max()};
  for (double scale : {0.3, 3.0, 300.0, 3e6})
    for (int i = 0; i < 5000; ++i) {
      const double x = std::exponential_distribution<double>(1.0 / scale)(rng);
      v.push_back(static_cast<int32_t>(std::lround(rng() % 2 ? x : -x)));
    }
  BinContext ez, dz;
  SignedGammaContexts ec, dc;
  CabacEncoder enc;
  for (auto x : v) encode_signed_gamma(enc, x, ez, ec);
  auto bytes = enc.finish();
  CabacDecoder dec(bytes.data(), bytes.size());
  for (auto x : v) ASSERT_EQ(decode_signed_gamma(dec, dz, dc), x);
  dec.finish();
  CabacEncoder bad;
  EXPECT_THROW(encode_signed_gamma(bad, std::numeric_limits<int32_t>::min(), ez, ec), UsageError);
}

// Values of one magnitude class, |v| uniform in [256, 512) with a random sign: 9 bits of information each
// (sign + 8 mantissa bits). Once the exponent contexts have learned the class, the gamma code gets close to that
// bound, while the fixed split of encode_signed pays 8 unary bins and a 17-bin Exp-Golomb suffix for every value.
TEST(Binarization, SignedGammaLearnsTheMagnitudeScale) {
  std::mt19937 rng(8);
  std::vector<int32_t> v(20000);
  for (auto& x : v) x = static_cast<int32_t>(256 + rng() % 256) * (rng() % 2 ? 1 : -1);
  BinContext zero;
  SignedGammaContexts gamma;
  SignedIntContexts plain;
  CabacEncoder eg, ep;
  for (auto x : v) encode_signed_gamma(eg, x, zero, gamma), encode_signed(ep, x, plain);
  const double gamma_bits = 8.0 * static_cast<double>(eg.finish().size()) / static_cast<double>(v.size());
  const double plain_bits = 8.0 * static_cast<double>(ep.finish().size()) / static_cast<double>(v.size());
  EXPECT_GT(gamma_bits, 9.0 - 0.01);  // nothing codes below the entropy
  EXPECT_LT(gamma_bits, 9.0 + 0.15) << "plain: " << plain_bits;
  EXPECT_GT(plain_bits, 15.0);
}

}  // namespace
}  // namespace nicodec::entropy
