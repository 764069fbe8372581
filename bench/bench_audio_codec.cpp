// audiocodec speed on one core: the streaming encoder (g_a + RVQ over all stages, the part --kbps runs once)
// and the streaming decoder at 1.4 and 5.6 kbit/s, on 60 s of held-out speech (the codec2 reference sentence
// looped). Counter xRT = seconds of audio per second of work. Model load is outside the timing.
// Needs data/sets/audio-eval (data/build_audio_sets.sh). Run: build/bench/bench_audio_codec
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "codecs/audio/codec.h"
#include "codecs/audio/model_io.h"
#include "core/media/audio_io.h"
#include "core/torch_runtime.h"

using namespace nicodec;
using namespace nicodec::codecs::audio;

namespace {

AudioCodecModel& model() {
  static AudioCodecModel m = load_audio_model(std::string(NICODEC_MODELS) + "/" + kModelFile);
  return m;
}

const std::vector<float>& speech() {  // 60 s at 16 kHz
  static const std::vector<float> x = [] {
    const Audio a = downmix_mono(read_audio(NICODEC_EVAL_SPEECH));
    std::vector<float> out;
    while (out.size() < 16000 * 60) out.insert(out.end(), a.samples.begin(), a.samples.end());
    out.resize(16000 * 60);
    return out;
  }();
  return x;
}

std::unique_ptr<AudioEncoder> encode(int64_t stages) {
  auto enc = std::make_unique<AudioEncoder>(model(), stages);
  enc->push(speech().data(), speech().size());
  enc->finish(static_cast<int64_t>(speech().size()));
  return enc;
}

void BM_Encode(benchmark::State& state) {
  setup_torch_threads(1);
  const int64_t stages = state.range(0);
  model();  // load the model and the clip outside the timed loop (the first benchmark would pay for them)
  speech();
  for (auto _ : state) benchmark::DoNotOptimize(encode(stages));
  state.counters["xRT"] = benchmark::Counter(60.0, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(std::to_string(stages) + " stages computed");
}
BENCHMARK(BM_Encode)->Arg(12)->Arg(32)->Unit(benchmark::kMillisecond)->UseRealTime()->MinWarmUpTime(0.5);

void BM_Decode(benchmark::State& state) {
  setup_torch_threads(1);
  const double kbps = static_cast<double>(state.range(0)) / 10.0;
  const auto bytes = encode(32)->write_capped({16000, 1, 16000 * 60}, kbps, 16 * 32);
  for (auto _ : state) {
    AudioDecoder dec(model(), bytes);
    size_t n = 0;
    for (auto x = dec.next(); !x.empty(); x = dec.next()) n += x.size();
    benchmark::DoNotOptimize(n);
  }
  state.counters["xRT"] = benchmark::Counter(60.0, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["kbps"] = static_cast<double>(bytes.size()) * 8.0 / 60.0 / 1000.0;
}
BENCHMARK(BM_Decode)->Arg(14)->Arg(56)->Unit(benchmark::kMillisecond)->UseRealTime()->MinWarmUpTime(0.5);

}  // namespace

BENCHMARK_MAIN();
