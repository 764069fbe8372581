// vidcodec speed on one thread: whole-clip encode and decode (8 frames: one I frame and seven P frames, q 2, the
// RD decisions as in use) of held-out 720p footage and a 1080p synthetic pan, and the motion parts alone (DIS
// optical flow, the 16x16 field search, the warp, the prediction refiner when one is shipped). Counter fps = frames
// per second of work; encode includes reading the y4m, decode writing one. Model load is outside the timing.
// Encode and decode use the shipped refiner as vidcodec does (data/models/vidcodec-refiner-v1.nicm, when there).
// Needs data/sets/video-eval (data/build_video_sets.sh). Run: build/bench/bench_video_codec
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>

#include "codecs/image/model_io.h"
#include "codecs/video/motion_search.h"
#include "codecs/video/prediction_refiner.h"
#include "codecs/video/video_codec.h"
#include "core/file_io.h"
#include "core/media/color.h"
#include "core/media/video_io.h"
#include "core/torch_runtime.h"

using namespace nicodec;
using namespace nicodec::codecs;

namespace {

constexpr int kFrames = 8;
const char* const kClips[] = {NICODEC_VIDEO_EVAL "/cockatoo-1280x720.y4m", NICODEC_VIDEO_EVAL "/pan-seeding-1920x1080.y4m"};

const image::ImageCodec& codec() {
  static const image::ImageCodec c(image::load_model(std::string(NICODEC_MODELS) + "/" + image::kModelFile));
  return c;
}

// The shipped refiner, or null when there is none.
const video::PredictionRefiner* refiner() {
  static const auto r = [] {
    const std::string path = std::string(NICODEC_MODELS) + "/" + video::kRefinerFile;
    return std::filesystem::exists(path) ? std::make_unique<video::PredictionRefiner>(video::PredictionRefiner::load(path))
                                         : std::unique_ptr<video::PredictionRefiner>();
  }();
  return r.get();
}

video::VideoModels models() {
  video::VideoModels m(codec());
  m.refiner = refiner();
  return m;
}

std::string temp(const std::string& name) { return (std::filesystem::temp_directory_path() / name).string(); }

void BM_Encode(benchmark::State& state) {
  setup_torch_threads(1);
  video::VideoEncodeOptions o;
  o.q = 2;
  o.max_frames = kFrames;
  video::VideoEncodeResult r;
  codec();  // load the model outside the timed loop (the first benchmark would pay for it)
  for (auto _ : state) r = video::encode_video(models(), kClips[state.range(0)], temp("bench_vid.nvc"), o);
  state.counters["fps"] = benchmark::Counter(kFrames, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["kbps"] = r.kbps;
  state.SetLabel(std::to_string(r.width) + "x" + std::to_string(r.height));
}
BENCHMARK(BM_Encode)->Arg(0)->Arg(1)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

void BM_Decode(benchmark::State& state) {
  setup_torch_threads(1);
  video::VideoEncodeOptions o;
  o.q = 2;
  o.max_frames = kFrames;
  video::encode_video(models(), kClips[state.range(0)], temp("bench_vid.nvc"), o);
  const auto bytes = read_file(temp("bench_vid.nvc"));
  for (auto _ : state) video::decode_video(models(), bytes, temp("bench_vid.y4m"));
  state.counters["fps"] = benchmark::Counter(kFrames, benchmark::Counter::kIsIterationInvariantRate);
  std::filesystem::remove(temp("bench_vid.y4m"));
}
BENCHMARK(BM_Decode)->Arg(0)->Arg(1)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(2);

std::pair<Image, Image> two_frames(int clip) {
  VideoReader rd(kClips[clip]);
  Frame420 a, b;
  rd.read(a);
  rd.read(b);
  return {yuv420_to_rgb_bt709(b), yuv420_to_rgb_bt709(a)};
}

void BM_OpticalFlow(benchmark::State& state) {
  const auto [cur, ref] = two_frames(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(video::optical_flow(cur, ref));
  state.counters["fps"] = benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_OpticalFlow)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_FieldSearch(benchmark::State& state) {
  const auto [cur, ref] = two_frames(static_cast<int>(state.range(0)));
  const auto flow = video::optical_flow(cur, ref);
  for (auto _ : state) benchmark::DoNotOptimize(video::estimate_motion(cur, ref, flow, 16, 32));
  state.counters["fps"] = benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_FieldSearch)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Compensate(benchmark::State& state) {
  const auto [cur, ref] = two_frames(static_cast<int>(state.range(0)));
  const auto field = video::estimate_motion(cur, ref, video::optical_flow(cur, ref), 16, 32);
  for (auto _ : state) benchmark::DoNotOptimize(video::compensate(ref, field));
  state.counters["fps"] = benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Compensate)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Refine(benchmark::State& state) {
  setup_torch_threads(1);
  if (!refiner()) {
    state.SkipWithError("no refiner shipped in data/models");
    return;
  }
  const auto [cur, ref] = two_frames(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(refiner()->refine(ref));
  state.counters["fps"] = benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Refine)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
