// Entropy coder throughput and efficiency, beside zstd on the same data.
// Run: build/bench/bench_entropy --benchmark_counters_tabular=true   (single thread)
// Counters: sym/s or bins/s (items), MB/s of coded output, bits per symbol and % above the information
// content that the source model assigns to the data (computed here from the model's own probabilities).
#include <benchmark/benchmark.h>
#include <zstd.h>

#include <cmath>
#include <random>
#include <vector>

#include "entropy/adaptive_model.h"
#include "entropy/cabac.h"
#include "entropy/cdf_tables.h"
#include "entropy/distributions.h"

using namespace nicodec::entropy;

namespace {

constexpr size_t kSymbols = 1 << 20;

// Hyperprior-like latents: scales log-uniform over the lower half of the table, values drawn from them.
struct Latents {
  std::vector<double> scales = make_scale_table();
  CdfTables tables = make_parametric_tables(Family::kGaussian, scales);
  std::vector<int32_t> values;
  std::vector<uint16_t> indexes;
  double info_bits = 0;
  Latents() {
    std::mt19937 rng(42);
    values.resize(kSymbols);
    indexes.resize(kSymbols);
    for (size_t i = 0; i < kSymbols; ++i) {
      indexes[i] = static_cast<uint16_t>(rng() % 36);  // scales 0.11 .. ~8
      values[i] = static_cast<int32_t>(std::lround(std::normal_distribution<double>(0, scales[indexes[i]])(rng)));
      const uint32_t* c = tables.cdf(indexes[i]);
      int64_t s = int64_t{values[i]} - tables.offset(indexes[i]);
      if (s < 0 || s >= tables.num_values(indexes[i])) s = tables.num_values(indexes[i]);  // escape
      info_bits -= std::log2(double(c[s + 1] - c[s]) / CdfTables::kTotal);
    }
  }
};
const Latents& latents() {
  static const Latents l;
  return l;
}

void report(benchmark::State& state, size_t items, size_t bytes, double info_bits) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * items));
  state.counters["bits/sym"] = 8.0 * bytes / items;
  state.counters["above_info_%"] = 100.0 * (8.0 * bytes / info_bits - 1.0);
  state.counters["out_MB/s"] = benchmark::Counter(static_cast<double>(state.iterations() * bytes) / 1e6,
                                                  benchmark::Counter::kIsRate);
}

void BM_RansStaticEncode(benchmark::State& state) {
  const auto& l = latents();
  std::vector<uint8_t> out;
  for (auto _ : state) {
    out = encode_with_indexes(l.values.data(), l.indexes.data(), kSymbols, l.tables);
    benchmark::DoNotOptimize(out.data());
  }
  report(state, kSymbols, out.size(), l.info_bits);
}
BENCHMARK(BM_RansStaticEncode)->Unit(benchmark::kMillisecond);

void BM_RansStaticDecode(benchmark::State& state) {
  const auto& l = latents();
  auto bytes = encode_with_indexes(l.values.data(), l.indexes.data(), kSymbols, l.tables);
  std::vector<int32_t> out(kSymbols);
  for (auto _ : state) {
    decode_with_indexes(bytes.data(), bytes.size(), l.indexes.data(), kSymbols, l.tables, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  if (out != l.values) state.SkipWithError("round trip failed");
  report(state, kSymbols, bytes.size(), l.info_bits);
}
BENCHMARK(BM_RansStaticDecode)->Unit(benchmark::kMillisecond);

// zstd on the same latents, stored as one byte each (all values here fit in int8).
void BM_ZstdLatents(benchmark::State& state) {
  const auto& l = latents();
  std::vector<int8_t> raw(kSymbols);
  for (size_t i = 0; i < kSymbols; ++i) raw[i] = static_cast<int8_t>(std::max(-128, std::min(127, l.values[i])));
  std::vector<uint8_t> out(ZSTD_compressBound(kSymbols));
  std::vector<int8_t> back(kSymbols);
  size_t n = 0;
  const bool decode = state.range(1) != 0;
  n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), static_cast<int>(state.range(0)));
  for (auto _ : state) {
    if (decode) benchmark::DoNotOptimize(ZSTD_decompress(back.data(), back.size(), out.data(), n));
    else benchmark::DoNotOptimize(n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), static_cast<int>(state.range(0))));
  }
  report(state, kSymbols, n, l.info_bits);
}
BENCHMARK(BM_ZstdLatents)->ArgsProduct({{3, 19}, {0, 1}})->ArgNames({"level", "decode"})->Unit(benchmark::kMillisecond);

// VQ indices: Zipf-distributed codes from a codebook of state.range(0) entries.
struct Tokens {
  std::vector<uint32_t> sym;
  double info_bits = 0;
  explicit Tokens(uint32_t n) {
    std::vector<double> p(n);
    double z = 0;
    for (uint32_t i = 0; i < n; ++i) z += (p[i] = 1.0 / (i + 1));
    std::mt19937 rng(n);
    std::discrete_distribution<uint32_t> d(p.begin(), p.end());
    sym.resize(kSymbols / 4);
    for (auto& s : sym) {
      s = d(rng);
      info_bits -= std::log2(p[s] / z);
    }
  }
};

void BM_RansAdaptive(benchmark::State& state) {
  Tokens t(static_cast<uint32_t>(state.range(0)));
  const bool decode = state.range(1) != 0;
  auto bytes = encode_adaptive(t.sym.data(), t.sym.size(), static_cast<uint32_t>(state.range(0)));
  std::vector<uint32_t> out(t.sym.size());
  for (auto _ : state) {
    if (decode) decode_adaptive(bytes.data(), bytes.size(), out.size(), static_cast<uint32_t>(state.range(0)), out.data());
    else bytes = encode_adaptive(t.sym.data(), t.sym.size(), static_cast<uint32_t>(state.range(0)));
    benchmark::DoNotOptimize(bytes.data());
  }
  if (decode && out != t.sym) state.SkipWithError("round trip failed");
  report(state, t.sym.size(), bytes.size(), t.info_bits);
}
BENCHMARK(BM_RansAdaptive)->ArgsProduct({{1024, 65536}, {0, 1}})->ArgNames({"alphabet", "decode"})->Unit(benchmark::kMillisecond);

// Binary source: 8 contexts with P(1) from 0.02 to 0.5, like significance/sign bins.
struct Bins {
  std::vector<uint8_t> bin, ctx;
  double info_bits = 0;
  Bins() {
    std::mt19937 rng(5);
    const double p[8] = {0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.45, 0.5};
    bin.resize(kSymbols * 4);
    ctx.resize(bin.size());
    for (size_t i = 0; i < bin.size(); ++i) {
      ctx[i] = static_cast<uint8_t>(rng() % 8);
      bin[i] = std::bernoulli_distribution(p[ctx[i]])(rng);
      info_bits -= std::log2(bin[i] ? p[ctx[i]] : 1 - p[ctx[i]]);
    }
  }
};
const Bins& bins() {
  static const Bins b;
  return b;
}

void BM_CabacEncode(benchmark::State& state) {
  const auto& b = bins();
  std::vector<uint8_t> out;
  for (auto _ : state) {
    CabacEncoder enc;
    BinContext ctx[8];
    for (size_t i = 0; i < b.bin.size(); ++i) enc.encode(ctx[b.ctx[i]], b.bin[i]);
    out = enc.finish();
    benchmark::DoNotOptimize(out.data());
  }
  report(state, b.bin.size(), out.size(), b.info_bits);
}
BENCHMARK(BM_CabacEncode)->Unit(benchmark::kMillisecond);

void BM_CabacDecode(benchmark::State& state) {
  const auto& b = bins();
  CabacEncoder enc;
  BinContext ectx[8];
  for (size_t i = 0; i < b.bin.size(); ++i) enc.encode(ectx[b.ctx[i]], b.bin[i]);
  auto bytes = enc.finish();
  size_t errors = 0;
  for (auto _ : state) {
    CabacDecoder dec(bytes.data(), bytes.size());
    BinContext ctx[8];
    errors = 0;
    for (size_t i = 0; i < b.bin.size(); ++i) errors += dec.decode(ctx[b.ctx[i]]) != b.bin[i];
    benchmark::DoNotOptimize(errors);
  }
  if (errors) state.SkipWithError("round trip failed");
  report(state, b.bin.size(), bytes.size(), b.info_bits);
}
BENCHMARK(BM_CabacDecode)->Unit(benchmark::kMillisecond);

void BM_CabacBypassDecode(benchmark::State& state) {
  CabacEncoder enc;
  std::mt19937 rng(1);
  const size_t words = kSymbols / 4;
  for (size_t i = 0; i < words; ++i) enc.encode_bypass(static_cast<uint32_t>(rng()), 16);
  auto bytes = enc.finish();
  for (auto _ : state) {
    CabacDecoder dec(bytes.data(), bytes.size());
    uint32_t acc = 0;
    for (size_t i = 0; i < words; ++i) acc ^= dec.decode_bypass(16);
    benchmark::DoNotOptimize(acc);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * words * 16));
}
BENCHMARK(BM_CabacBypassDecode)->Unit(benchmark::kMillisecond);

// zstd on the same bins, packed 8 to a byte (what a codec without an arithmetic coder would store).
void BM_ZstdBins(benchmark::State& state) {
  const auto& b = bins();
  std::vector<uint8_t> packed(b.bin.size() / 8);
  for (size_t i = 0; i < b.bin.size(); ++i) packed[i / 8] |= static_cast<uint8_t>(b.bin[i] << (i % 8));
  std::vector<uint8_t> out(ZSTD_compressBound(packed.size()));
  size_t n = 0;
  for (auto _ : state) benchmark::DoNotOptimize(n = ZSTD_compress(out.data(), out.size(), packed.data(), packed.size(), static_cast<int>(state.range(0))));
  report(state, b.bin.size(), n, b.info_bits);
}
BENCHMARK(BM_ZstdBins)->Arg(19)->ArgName("level")->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
