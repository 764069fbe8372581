// Static CDF tables: round trips with escapes and adversarial values, and efficiency against the Shannon limit.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "entropy/cdf_tables.h"
#include "entropy/distributions.h"

namespace nicodec::entropy {
namespace {

std::vector<uint8_t> roundtrip(const std::vector<int32_t>& v, const std::vector<uint16_t>& idx, const CdfTables& t) {
  auto bytes = encode_with_indexes(v.data(), idx.data(), v.size(), t);
  std::vector<int32_t> out(v.size(), 12345);
  decode_with_indexes(bytes.data(), bytes.size(), idx.data(), idx.size(), t, out.data());
  EXPECT_EQ(out, v);
  return bytes;
}

TEST(QuantizePmf, SumsExactlyAndKeepsEverySymbol) {
  std::mt19937 rng(1);
  for (size_t n : {1, 2, 3, 100, 4000, 65536}) {
    std::vector<double> p(n);
    for (auto& x : p) x = std::pow(std::uniform_real_distribution<double>(0, 1)(rng), 8);
    auto f = quantize_pmf(p, 1u << 16);
    uint64_t sum = 0;
    for (auto x : f) {
      EXPECT_GE(x, 1u);
      sum += x;
    }
    EXPECT_EQ(sum, 1u << 16) << n;
  }
  EXPECT_THROW(quantize_pmf(std::vector<double>(70000, 1.0), 1u << 16), UsageError);
  EXPECT_THROW(quantize_pmf({0.5, -1.0}, 1u << 16), UsageError);
}

TEST(CdfTables, ValidatesHandWrittenCdfs) {
  CdfTables t;
  EXPECT_THROW(t.add_cdf({0, 65536}, 0), UsageError);
  EXPECT_THROW(t.add_cdf({0, 100, 100, 65536}, 0), UsageError);
  EXPECT_THROW(t.add_cdf({0, 100, 65535}, 0), UsageError);
  EXPECT_NO_THROW(t.add_cdf({0, 100, 65536}, 0));
}

TEST(CdfTables, GaussianLatentsRoundTripAcrossAllScales) {
  auto scales = make_scale_table();
  for (Family f : {Family::kGaussian, Family::kLaplacian, Family::kLogistic}) {
    CdfTables tables = make_parametric_tables(f, scales);
    std::mt19937 rng(static_cast<uint32_t>(f) + 11);
    std::vector<int32_t> v(50000);
    std::vector<uint16_t> idx(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      idx[i] = static_cast<uint16_t>(rng() % scales.size());
      v[i] = static_cast<int32_t>(std::lround(std::normal_distribution<double>(0, scales[idx[i]] * 1.3)(rng)));
    }
    roundtrip(v, idx, tables);
  }
}

TEST(CdfTables, CostBitsPredictsTheCodedSize) {
  // The sum of cost_bits over a stream, escapes included, is what the coder spends (to its few bytes of
  // state flush): the encoder may choose tables by it.
  const auto scales = make_scale_table();
  const CdfTables tables = make_parametric_tables(Family::kGaussian, scales);
  std::mt19937 rng(5);
  std::vector<int32_t> v(40000);
  std::vector<uint16_t> idx(v.size());
  double bits = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    idx[i] = static_cast<uint16_t>(rng() % 20);
    v[i] = static_cast<int32_t>(std::lround(std::normal_distribution<double>(0, scales[idx[i]] * 3.0)(rng)));
    if (i % 97 == 0) v[i] = (i % 2 ? 1 : -1) * 100000;  // escapes
    bits += tables.cost_bits(idx[i], v[i]);
  }
  const auto bytes = roundtrip(v, idx, tables);
  EXPECT_NEAR(8.0 * static_cast<double>(bytes.size()), bits, 0.002 * bits + 64);
  // A value far outside costs the escape symbol plus 6 + (bits of the zigzagged distance) raw bits.
  const double esc = tables.cost_bits(0, 1000000);
  EXPECT_GT(esc, 6 + 20);
  EXPECT_LT(tables.cost_bits(0, 0), 1.0);  // the smallest scale puts almost all mass on 0
}

TEST(CdfTables, AdversarialValues) {
  CdfTables t = make_parametric_tables(Family::kGaussian, {0.11, 1.0, 40.0});
  const int32_t lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
  // Far outside every table, on both sides, at the int32 limits, and at the table edges.
  std::vector<int32_t> v = {lo, hi, lo + 1, hi - 1, 0, -1, 1, 1000000, -1000000, 0};
  for (int k = 0; k < 3; ++k) {
    int32_t r = -t.offset(static_cast<size_t>(k));
    for (int32_t d : {r - 1, r, r + 1, r + 2}) {
      v.push_back(d);
      v.push_back(-d);
    }
  }
  std::vector<uint16_t> idx(v.size());
  for (size_t i = 0; i < v.size(); ++i) idx[i] = static_cast<uint16_t>(i % 3);
  roundtrip(v, idx, t);
  // All values identical; all escapes.
  roundtrip(std::vector<int32_t>(10000, 0), std::vector<uint16_t>(10000, 0), t);
  roundtrip(std::vector<int32_t>(10000, hi), std::vector<uint16_t>(10000, 0), t);
  roundtrip({}, {}, t);
  EXPECT_THROW(roundtrip({0}, {3}, t), UsageError);
}

TEST(CdfTables, ExtremeProbabilitiesAndMaximumAlphabet) {
  CdfTables t;
  std::vector<uint32_t> skewed = {0, 65533, 65534, 65535, 65536};  // p(value 0) = 65533/65536
  t.add_cdf(skewed, 0);
  std::vector<double> flat(CdfTables::kMaxValues, 1.0 / CdfTables::kMaxValues);
  t.add_pmf(flat, -5000);
  std::mt19937 rng(5);
  std::vector<int32_t> v;
  std::vector<uint16_t> idx;
  for (int i = 0; i < 100000; ++i) {
    idx.push_back(static_cast<uint16_t>(i & 1));
    v.push_back(i & 1 ? static_cast<int32_t>(rng() % CdfTables::kMaxValues) - 5000 : (rng() % 1000 == 0 ? 2 : 0));
  }
  roundtrip(v, idx, t);
}

// Information content under the model itself: sum of -log2(freq / 2^16) over the coded values.
double information_bits(const std::vector<int32_t>& v, const std::vector<uint16_t>& idx, const CdfTables& t) {
  double bits = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const uint32_t* c = t.cdf(idx[i]);
    int64_t s = int64_t{v[i]} - t.offset(idx[i]);
    bits -= std::log2(double(c[s + 1] - c[s]) / CdfTables::kTotal);
  }
  return bits;
}

TEST(CdfTables, WithinPointOnePercentOfInformationContentOverOneMillionSymbols) {
  auto scales = make_scale_table();
  CdfTables tables = make_parametric_tables(Family::kGaussian, scales);
  for (double scale_pick : {0.3, 2.0, 12.0}) {
    uint16_t k = scale_index(scales, scale_pick);
    std::mt19937 rng(static_cast<uint32_t>(scale_pick * 10));
    std::normal_distribution<double> g(0, scales[k]);
    const size_t n = 1000000;
    std::vector<int32_t> v(n);
    std::vector<uint16_t> idx(n, k);
    for (auto& x : v) x = static_cast<int32_t>(std::lround(g(rng)));
    // Keep values inside the table: escapes are measured separately.
    int32_t lo = tables.offset(k), hi = lo + static_cast<int32_t>(tables.num_values(k)) - 1;
    for (auto& x : v) x = std::min(std::max(x, lo), hi);
    auto bytes = roundtrip(v, idx, tables);
    const double info = information_bits(v, idx, tables);
    const double coded = 8.0 * bytes.size();
    EXPECT_LT(coded, info * 1.001 + 8 * 8 * kRansLanes) << "scale " << scales[k] << " info " << info;
    EXPECT_GE(coded, info) << "a coder cannot beat the information content";
    // And the model itself is close to the source's Shannon entropy (a check on the table construction).
    double h = 0;
    for (int32_t x = lo; x <= hi; ++x) {
      double p = det_normal_cdf((x + 0.5) / scales[k]) - det_normal_cdf((x - 0.5) / scales[k]);
      if (p > 0) h -= p * std::log2(p);
    }
    EXPECT_LT(info / n, h * 1.01 + 0.001) << "scale " << scales[k];
  }
}

}  // namespace
}  // namespace nicodec::entropy
