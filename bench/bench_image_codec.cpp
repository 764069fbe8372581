// nicodec image codec speed on a 768x512 photo (the Kodak size): encode at a fixed rate level (with and without
// latent refinement), encode with the --bpp search, decode with the int8 and the float synthesis, the entropy
// decoding part alone; plus int8 vs
// fp32 convolution and linear layers at decoder sizes (quant/layers/int8_conv.h).
// Needs data/sets/images-eval (data/build_image_sets.sh). Run: NICODEC_THREADS=2 build/bench/bench_image_codec
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <string>

#include "codecs/image/codec.h"
#include "core/media/image_io.h"
#include "core/torch_runtime.h"
#include "quant/layers/int8_conv.h"

using namespace nicodec;
using namespace nicodec::codecs::image;

namespace {

ImageCodec& codec() {
  static ImageCodec c(load_model(std::string(NICODEC_MODELS) + "/" + kModelFile));
  return c;
}
const Image& photo() {
  static const Image img = read_image(NICODEC_EVAL_IMAGE);
  return img;
}

// Arg: latent refinement steps (0: the library default, 30: the nicodec command's default).
void BM_Encode(benchmark::State& state) {
  setup_torch_threads();
  const int refine = static_cast<int>(state.range(0));
  std::vector<uint8_t> b;
  codec();  // load the model and the photo outside the timed loop (the first benchmark would pay for them)
  photo();
  for (auto _ : state) benchmark::DoNotOptimize(b = codec().encode(photo(), 4.0, refine));
  state.SetLabel("refine " + std::to_string(refine));
  state.counters["bpp"] = 8.0 * static_cast<double>(b.size()) / (photo().width * photo().height);
}
// Warm-up: the first two or three encodes run at about 3x the steady time (allocator and kernel caches), and a
// single-iteration run of more than min_time would be reported as it is.
BENCHMARK(BM_Encode)->Arg(0)->Arg(30)->Unit(benchmark::kMillisecond)->UseRealTime()->MinWarmUpTime(1.5);

// Args: target in thousandths of a bpp, largest downscale factor (4: the nicodec command's default).
void BM_EncodeToBpp(benchmark::State& state) {
  setup_torch_threads();
  ImageCodec c(load_model(std::string(NICODEC_MODELS) + "/" + kModelFile));
  c.set_max_downscale(static_cast<int>(state.range(1)));
  const double target = static_cast<double>(state.range(0)) / 1000.0;
  RateSearch r;
  for (auto _ : state) benchmark::DoNotOptimize(r = c.encode_to_bpp(photo(), target));
  state.SetLabel("--bpp " + std::to_string(target).substr(0, 4) + ", coded at 1/" + std::to_string(r.scale) + " size");
  state.counters["bpp"] = r.bpp;
}
BENCHMARK(BM_EncodeToBpp)->Args({250, 1})->Args({50, 4})->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Decode(benchmark::State& state) {
  setup_torch_threads();
  const bool int8 = state.range(0) != 0;
  const auto bytes = codec().encode(photo(), 4.0);
  codec().set_int8_synthesis(int8);
  state.SetLabel(codec().int8_synthesis() ? "int8 synthesis" : "float synthesis");
  Image out;
  for (auto _ : state) benchmark::DoNotOptimize(out = codec().decode(bytes));
  codec().set_int8_synthesis(true);
}
BENCHMARK(BM_Decode)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

// The entropy-decoding part of decode alone: z, the integer h_s, the checkerboard context and both y halves.
void BM_DecodeLatents(benchmark::State& state) {
  setup_torch_threads();
  const auto bytes = codec().encode(photo(), 4.0);
  state.SetLabel(codec().model().has_context ? "with checkerboard context" : "hyperprior only");
  for (auto _ : state) benchmark::DoNotOptimize(codec().decode_latents(bytes));
}
BENCHMARK(BM_DecodeLatents)->Unit(benchmark::kMillisecond)->UseRealTime();

// Arg 0 of the layer benchmarks: 0 = fp32 libtorch, 1 = Int8Layer as it runs (VNNI kernel where the CPU has
// it), 2 = Int8Layer forced onto libtorch's quantized kernels.
std::string int8_label(int mode, const quant::Int8Layer& q) {
  if (mode == 0) return "fp32";
  return q.uses_vnni() ? "int8 VNNI" : "int8 libtorch";
}

// One g_s convolution (3x3, 96 -> 384 channels) at the 1/4 and 1/8 resolution of a 768x512 image.
void BM_Conv(benchmark::State& state) {
  setup_torch_threads();
  const int mode = static_cast<int>(state.range(0));
  const bool int8 = mode != 0;
  const int64_t h = state.range(1), w = state.range(2);
  torch::manual_seed(1);
  auto weight = torch::randn({384, 96, 3, 3}) * 0.05, bias = torch::zeros({384});
  auto x = torch::randn({1, 96, h, w});
  auto y = torch::conv2d(x, weight, bias, 1, 1);
  auto q = quant::Int8Layer::conv2d(weight, bias, 1, 1, x.abs().max().item<double>() / 127, y.abs().max().item<double>() / 127);
  q.set_vnni(mode == 1);
  torch::NoGradGuard ng;
  for (auto _ : state) benchmark::DoNotOptimize(y = int8 ? q.forward(x) : torch::conv2d(x, weight, bias, 1, 1));
  state.SetLabel(int8_label(mode, q));
  state.counters["GFLOP"] = 2.0 * 384 * 96 * 9 * static_cast<double>(h * w) / 1e9;  // per run: divide by the time
}
BENCHMARK(BM_Conv)->ArgsProduct({{1, 2, 0}, {128}, {192}})->ArgsProduct({{1, 2, 0}, {64}, {96}})
    ->Unit(benchmark::kMillisecond)->UseRealTime();

// A Linear layer (512 -> 512) over 4096 rows, e.g. a 1x1 mixing layer or an audio decoder's projection.
void BM_Linear(benchmark::State& state) {
  setup_torch_threads();
  const int mode = static_cast<int>(state.range(0));
  const bool int8 = mode != 0;
  torch::manual_seed(1);
  auto weight = torch::randn({512, 512}) * 0.05, bias = torch::zeros({512});
  auto x = torch::randn({4096, 512});
  auto y = torch::nn::functional::linear(x, weight, bias);
  auto q = quant::Int8Layer::linear(weight, bias, x.abs().max().item<double>() / 127, y.abs().max().item<double>() / 127);
  q.set_vnni(mode == 1);
  torch::NoGradGuard ng;
  for (auto _ : state) benchmark::DoNotOptimize(y = int8 ? q.forward(x) : torch::nn::functional::linear(x, weight, bias));
  state.SetLabel(int8_label(mode, q));
  state.counters["GFLOP"] = 2.0 * 512 * 512 * 4096 / 1e9;  // per run: divide by the time
}
BENCHMARK(BM_Linear)->Arg(1)->Arg(2)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
