// Weight formats: reference quantize/dequantize speed, SQNR on Gaussian weights, bits per weight, and the
// size of a model file holding the matrix (safetensors + zstd -19).
// Run: build/bench/bench_quant --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <zstd.h>

#include <random>

#include "quant/formats/weight_formats.h"
#include "quant/model_file.h"

using namespace nicodec::quant;

namespace {

constexpr int64_t kRows = 192, kCols = 192 * 9;  // a 192-channel 3x3 convolution

const std::vector<float>& weights() {
  static const std::vector<float> w = [] {
    std::mt19937 rng(1);
    std::normal_distribution<float> g(0, 0.02f);
    std::vector<float> v(kRows * kCols);
    for (auto& x : v) x = g(rng);
    return v;
  }();
  return w;
}

void BM_Quantize(benchmark::State& state) {
  const auto f = static_cast<WeightFormat>(state.range(0));
  const auto& w = weights();
  QuantizedWeights q;
  for (auto _ : state) benchmark::DoNotOptimize(q = quantize_reference(f, w.data(), kRows, kCols));
  std::vector<float> back(w.size());
  dequantize_reference(q, back.data());
  ModelFile m;
  m.add_quantized("w", {kRows, kCols}, w.data(), f);
  state.SetLabel(format_name(f));
  state.SetItemsProcessed(state.iterations() * kRows * kCols);
  state.counters["SQNR_dB"] = sqnr_db(w.data(), back.data(), w.size());
  state.counters["bits/w"] = q.bits_per_weight();
  const auto raw = m.to_safetensors();
  std::vector<uint8_t> z(ZSTD_compressBound(raw.size()));
  state.counters["file_bytes"] = static_cast<double>(ZSTD_compress(z.data(), z.size(), raw.data(), raw.size(), 19));
}
BENCHMARK(BM_Quantize)->DenseRange(1, 7)->Unit(benchmark::kMillisecond);

void BM_Dequantize(benchmark::State& state) {
  const auto f = static_cast<WeightFormat>(state.range(0));
  const auto& w = weights();
  const QuantizedWeights q = quantize_reference(f, w.data(), kRows, kCols);
  std::vector<float> back(w.size());
  for (auto _ : state) {
    dequantize_reference(q, back.data());
    benchmark::DoNotOptimize(back.data());
  }
  state.SetLabel(format_name(f));
  state.SetItemsProcessed(state.iterations() * kRows * kCols);
}
BENCHMARK(BM_Dequantize)->DenseRange(1, 7)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
