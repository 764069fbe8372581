#include "codecs/video/residual_set.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>

#include "codecs/video/inter_frame.h"
#include "codecs/video/motion_search.h"
#include "core/error.h"
#include "core/media/color.h"
#include "core/media/video_io.h"

namespace nicodec::codecs::video {

std::vector<std::string> list_clips(const std::string& dir) {
  std::vector<std::string> clips;
  if (std::filesystem::is_directory(dir))
    for (const auto& e : std::filesystem::directory_iterator(dir))
      if (e.path().extension() == ".y4m") clips.push_back(e.path().string());
  std::sort(clips.begin(), clips.end());
  if (clips.empty()) throw UsageError("no .y4m clips in '" + dir + "' (data/build_video_sets.sh builds data/sets/video-train)");
  return clips;
}

int64_t write_residual_set(const image::ImageCodec& codec, const std::vector<std::string>& clips,
                           const std::string& out_dir, const ResidualSetOptions& opt,
                           const std::function<void(int64_t)>& progress) {
  if (opt.frame_step < 1) throw UsageError("the frame step must be positive");
  if (!(opt.q_min <= opt.q_max)) throw UsageError("q_min must not exceed q_max");
  std::filesystem::create_directories(out_dir);
  std::mt19937_64 rng(opt.seed);
  std::uniform_real_distribution<double> level(opt.q_min, opt.q_max);
  int64_t written = 0;
  for (const auto& clip : clips) {
    VideoReader reader(clip);
    Frame420 f;
    if (!reader.read(f)) continue;
    Image prev = yuv420_to_rgb_bt709(f);
    for (int n = 1; reader.read(f); ++n) {
      const Image cur = yuv420_to_rgb_bt709(f);
      if (n % opt.frame_step == 0) {
        const double q = level(rng);
        const Image ref = codec.decode(codec.encode(prev, q));
        MotionField field;
        choose_motion(cur, ref, optical_flow(cur, ref), codec.model().net->config().lambda(q), &field);
        char name[32];
        std::snprintf(name, sizeof name, "-%04d.png", n);
        write_image((std::filesystem::path(out_dir) / (std::filesystem::path(clip).stem().string() + name)).string(),
                    residual_picture(cur, compensate(ref, field)));
        ++written;
        if (progress) progress(written);
      }
      prev = cur;
    }
  }
  return written;
}

std::vector<PredictionPair> prediction_pairs(const image::ImageCodec& codec, const std::vector<std::string>& clips,
                                             const PredictionPairOptions& opt,
                                             const std::function<void(int64_t)>& progress) {
  if (opt.chain < 2) throw UsageError("a chain needs at least 2 frames");
  if (!(opt.q_min <= opt.q_max)) throw UsageError("q_min must not exceed q_max");
  std::mt19937_64 rng(opt.seed);
  std::uniform_real_distribution<double> level(opt.q_min, opt.q_max);
  std::vector<PredictionPair> pairs;
  if (opt.passes < 1) throw UsageError("the passes must be positive");
  for (int pass = 0; pass < opt.passes; ++pass) {
    for (const auto& clip : clips) {
      VideoReader reader(clip);
      Frame420 f;
      Image ref;
      double q = 0;
      const int shift = pass * opt.chain / opt.passes;
      for (int n = 0; reader.read(f); ++n) {
        const Image cur = yuv420_to_rgb_bt709(f);
        if (n == 0 || (n + opt.chain - shift) % opt.chain == 0) {
          q = level(rng);
          ref = codec.decode(codec.encode(cur, q));
          continue;
        }
        MotionField field;
        choose_motion(cur, ref, optical_flow(cur, ref), codec.model().net->config().lambda(q + opt.p_offset), &field);
        ref = compensate(ref, field);
        pairs.push_back({ref, cur});
        if (progress) progress(static_cast<int64_t>(pairs.size()));
      }
    }
  }
  return pairs;
}

}  // namespace nicodec::codecs::video
