// vidcodec: video compression with I frames and motion-compensated P frames, both through the nicodec image model.
//   vidcodec encode clip.y4m --kbps 800 -o clip.nvc     (or --bpp X, or --q LEVEL; --intra-period N)
//   vidcodec decode clip.nvc -o clip.y4m                  (.y4m or - for y4m, .mp4/.mkv H.264 for viewing, else raw)
//   vidcodec info clip.nvc
// Thin: parses arguments and calls codecs/video.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <cstring>
#include <memory>

#include "apps/app_util.h"
#include "codecs/image/model_io.h"
#include "codecs/video/refiner_trainer.h"
#include "codecs/video/residual_set.h"
#include "codecs/video/video_codec.h"
#include "core/error.h"
#include "core/model_path.h"
#include "core/progress.h"
#include "core/torch_runtime.h"


int main(int argc, char** argv) {
  using namespace nicodec;
  using apps::Clock, apps::seconds_since, apps::with_extension;
  CLI::App app{"vidcodec: video compression, low delay: I frames coded by the nicodec image model, P frames by "
               "motion compensation (optical-flow motion, CABAC-coded) plus a nicodec-coded residual. Input: y4m, "
               "mp4/mkv/webm/avi (any codec FFmpeg decodes); output y4m or raw YUV 4:2:0.\nExit status: 0 ok, 1 error "
               "(message on stderr), 2 bad arguments."};
  app.require_subcommand(1);
  app.fallthrough();
  std::string model_path, in, out;
  int threads = 0;
  bool quiet = false;
  std::string residual_path;
  app.add_option("--model", model_path, std::string("image model file (default: ") + codecs::image::kModelFile + " from data/models)");
  app.add_option("--residual-model", residual_path,
                 "P-frame residual model (default: vidcodec-residual-v1.nicm from data/models when there is one, "
                 "else the image model)");
  std::string refiner_path;
  bool no_refiner = false;
  app.add_option("--refiner", refiner_path,
                 std::string("P-frame prediction refiner (default: ") + codecs::video::kRefinerFile +
                     " from data/models when there is one)");
  app.add_flag("--no-refiner", no_refiner, "encode without the prediction refiner (plain warping, as before it existed)");
  app.add_option("--threads", threads, "CPU threads (default: $NICODEC_THREADS or all cores)")->check(CLI::Range(1, 1024));
  app.add_flag("--quiet", quiet, "print nothing but errors");
  auto* enc = app.add_subcommand("encode", "compress a clip to a .nvc file");
  codecs::video::VideoEncodeOptions opt;
  enc->add_option("input", in, "video file")->required();
  enc->add_option("-o,--output", out, "output file (default: input with .nvc)");
  auto* o_kbps = enc->add_option("--kbps", opt.kbps, "bitrate cap: the whole file, headers included, at most this over the "
                                                     "clip's duration (an I frame gets 20 P-frame shares; what a frame leaves goes to the next)")->check(CLI::Range(0.001, 1e7));
  auto* o_bpp = enc->add_option("--bpp", opt.bpp, "the same cap as bits per pixel over all frames")->check(CLI::Range(1e-6, 100.0));
  auto* o_q = enc->add_option("--q", opt.q, "fixed nicodec rate level of I frames (-4 .. 8), default 4");
  enc->add_option("--passes", opt.passes, "with --kbps/--bpp: encodes of the clip at most (1: frame shares of the target, one pass, fastest; "
                  "then the clip at one rate level, searched to land under the target); the best file under it is written")->capture_default_str()->check(CLI::Range(1, 8));
  enc->add_option("--p-offset", opt.p_q_offset, "P frames' rate level (motion decisions, residuals): q + this")->capture_default_str()->check(CLI::Range(-8.0, 8.0));
  enc->add_option("--intra-period", opt.intra_period, "-1: only the first frame is intra; N: every N-th; 1: intra-only")
      ->capture_default_str();
  std::string raw_size, raw_fps = "30";
  enc->add_option("--size", raw_size, "frame size WxH of a raw .yuv input (8-bit 4:2:0; other inputs carry theirs)");
  enc->add_option("--fps", raw_fps, "frame rate of a raw .yuv input: N or N/D")->capture_default_str();
  enc->add_option("--frames", opt.max_frames, "code only the first N frames")->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  enc->add_option("--refine", opt.intra_refine,
                  "latent refinement steps for I frames (as nicodec encode --refine; slower I frames, same decoder)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000));
  o_kbps->excludes(o_bpp)->excludes(o_q);
  o_bpp->excludes(o_q);
  auto* dec = app.add_subcommand(
      "decode", "decompress a .nvc file (- = stdin) to y4m (NAME.y4m, or - for stdout), H.264 for viewing (NAME.mp4, "
                "NAME.mkv; even frame sizes) or raw YUV 4:2:0 (other names)");
  dec->add_option("input", in, "a .nvc file")->required();
  dec->add_option("-o,--output", out, "output file (default: input with .y4m)");
  auto* info = app.add_subcommand("info", "print what a .nvc file holds");
  auto* rset = app.add_subcommand("residual-set", "write the training pictures of a residual model (docs/video-codec.md)");
  std::string clips_dir;
  codecs::video::ResidualSetOptions rs;
  rset->add_option("--clips", clips_dir, "folder of y4m clips")->required();
  rset->add_option("-o,--output", out, "output folder")->required();
  rset->add_option("--frame-step", rs.frame_step, "every N-th frame pair")->capture_default_str()->check(CLI::Range(1, 1000));
  rset->add_option("--seed", rs.seed, "random seed of the reference levels")->capture_default_str();
  info->add_option("input", in, "a .nvc file")->required();
  auto* rtrain = app.add_subcommand("train-refiner",
                                    "train the P-frame prediction refiner on motion-only prediction chains of the training "
                                    "clips (docs/video-codec.md); --export writes a checkpoint as a model file, --validate measures a refiner on clips");
  codecs::video::RefinerTrainConfig rc;
  std::string export_path, weight_format = "int8", notes;
  uint32_t export_version = 1;
  int64_t snapshot = 0;
  rtrain->add_option("--clips", rc.clips_dir, "folder of y4m training clips (never the held-out ones)")->capture_default_str();
  rtrain->add_option("--checkpoint", rc.checkpoint_dir, "checkpoint folder (resumed if it holds one)")->capture_default_str();
  rtrain->add_option("--device", rc.device, "cpu or cuda")->capture_default_str()->check(CLI::IsMember({"cpu", "cuda"}));
  rtrain->add_option("--steps", rc.steps, "total training steps")->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{100000000}));
  rtrain->add_option("--batch", rc.batch, "crops per step")->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{1024}));
  rtrain->add_option("--crop", rc.crop, "crop side (even)")->capture_default_str()->check(CLI::Range(int64_t{16}, int64_t{1024}));
  rtrain->add_option("--lr", rc.lr, "Adam learning rate (divided by 10 for the last 15% of the steps)")->capture_default_str();
  rtrain->add_option("--seed", rc.seed, "random seed")->capture_default_str();
  rtrain->add_option("--channels", rc.net.channels, "net width (new runs only)")->capture_default_str()->check(CLI::Range(int64_t{4}, int64_t{256}));
  rtrain->add_option("--layers", rc.net.layers, "convolutions (new runs only)")->capture_default_str()->check(CLI::Range(int64_t{2}, int64_t{16}));
  rtrain->add_option("--chain", rc.pairs.chain, "frames per prediction chain, its coded first frame included (new runs only)")
      ->capture_default_str()->check(CLI::Range(2, 1000));
  rtrain->add_option("--passes", rc.pairs.passes, "times through each clip, with new levels and shifted chains (new runs only)")
      ->capture_default_str()->check(CLI::Range(1, 100));
  rtrain->add_option("--p-offset", rc.pairs.p_offset, "the chains' P-frame level offset, as encode's (new runs only)")
      ->capture_default_str()->check(CLI::Range(-8.0, 8.0));
  rtrain->add_option("--export", export_path, "instead of training: write the checkpoint as a refiner model file");
  rtrain->add_option("--format", weight_format, "weight format of --export (int8, ..., or f32)")->capture_default_str();
  rtrain->add_option("--model-version", export_version, "model version written into the file and every bitstream")
      ->capture_default_str()->check(CLI::Range(1u, 1000000u));
  rtrain->add_option("--snapshot", snapshot, "with --export: the weights kept at this step (every 1000) instead of the latest");
  rtrain->add_option("--notes", notes, "training notes stored in the model file");
  std::vector<std::string> validate_clips;
  rtrain->add_option("--validate", validate_clips,
                     "instead of training: how the refiner (--refiner FILE) does on the prediction chains of these clips")
      ->expected(1, 100);
  try {
    app.parse(apps::cli_args(argc, argv, {"kbps", "bpp", "q", "frames", "model", "threads", "p-offset", "intra-period", "residual-model", "size", "fps", "refine", "refiner", "passes"}));
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (!raw_size.empty() || app.get_subcommand("encode")->get_option("--fps")->count()) {
    int w = 0, h = 0, n = 0, d = 1;
    char x = 0, slash = 0;
    const bool size_ok = raw_size.empty() || (std::sscanf(raw_size.c_str(), "%d%c%d", &w, &x, &h) == 3 && (x == 'x' || x == 'X') && w > 0 && h > 0);
    const int got = std::sscanf(raw_fps.c_str(), "%d%c%d", &n, &slash, &d);
    const bool fps_ok = n > 0 && (got == 1 || (got == 3 && slash == '/' && d > 0));
    if (!size_ok || !fps_ok) {
      std::fprintf(stderr, "vidcodec: error: --size wants WxH (e.g. 1920x1080), --fps N or N/D (e.g. 30000/1001)\n");
      return 2;
    }
    opt.raw = {w, h, n, got == 3 ? d : 1};
  }
  if (opt.intra_period == 0 || opt.intra_period < -1) {
    std::fprintf(stderr, "vidcodec: error: --intra-period must be -1 (first frame only) or positive\n");
    return 2;
  }
  try {
    if (*info) {
      const auto v = codecs::video::inspect_video(in);
      std::printf("%s: vidcodec file, %lld frames (%lld intra): I %lld bytes, P motion %lld, P residual %lld (%lld frames, %lld of them "
                  "at half size); %lld P frames refined\n%s",
                  in.c_str(), static_cast<long long>(v.frames), static_cast<long long>(v.intra_frames),
                  static_cast<long long>(v.intra_bytes), static_cast<long long>(v.motion_bytes),
                  static_cast<long long>(v.residual_bytes), static_cast<long long>(v.residual_frames),
                  static_cast<long long>(v.downscaled_residuals), static_cast<long long>(v.refined_frames), v.header.c_str());
      return 0;
    }
    setup_torch_threads(threads);
    if (*rtrain && !export_path.empty()) {
      std::fprintf(stderr, "%s", codecs::video::export_refiner_checkpoint(rc.checkpoint_dir, snapshot, weight_format, export_version, notes, export_path).c_str());
      return 0;
    }
    const codecs::image::ImageCodec codec(codecs::image::load_model(model_path.empty() ? find_model(codecs::image::kModelFile) : model_path));
    const auto t0 = Clock::now();
    if (*rset) {  // always the image model: the set is what a residual model learns from
      const auto clips = codecs::video::list_clips(clips_dir);
      const auto n = codecs::video::write_residual_set(codec, clips, out, rs, [&](int64_t k) {
        if (!quiet && k % 50 == 0) std::fprintf(stderr, "residual-set: %lld pictures\n", static_cast<long long>(k));
      });
      if (!quiet) std::fprintf(stderr, "residual-set: %lld pictures from %zu clips in %s, %.1f s\n", static_cast<long long>(n), clips.size(), out.c_str(), seconds_since(t0));
      return 0;
    }
    if (*rtrain && !validate_clips.empty()) {
      if (refiner_path.empty()) throw UsageError("--validate needs --refiner FILE");
      const auto refiner = codecs::video::PredictionRefiner::load(refiner_path);
      std::printf("%s", codecs::video::validate_refiner(codec, refiner, validate_clips, rc.pairs).c_str());
      return 0;
    }
    if (*rtrain) {  // the chains' first frames are coded by the image model
      codecs::video::train_refiner(codec, rc);
      return 0;
    }
    std::unique_ptr<codecs::image::ImageCodec> residual_codec;
    if (residual_path.empty()) {
      try {
        residual_path = find_model("vidcodec-residual-v1.nicm");
      } catch (const Error&) {  // none shipped: the image model codes the residuals
      }
    }
    if (!residual_path.empty()) residual_codec = std::make_unique<codecs::image::ImageCodec>(codecs::image::load_model(residual_path));
    codecs::video::VideoModels models = residual_codec ? codecs::video::VideoModels(codec, *residual_codec) : codecs::video::VideoModels(codec);
    // The refiner: decoding loads it whenever there is one (the file says whether it needs it); encoding uses it
    // unless --no-refiner.
    std::unique_ptr<codecs::video::PredictionRefiner> refiner;
    if (refiner_path.empty() && !(no_refiner && *enc)) {
      try {
        refiner_path = find_model(codecs::video::kRefinerFile);
      } catch (const Error&) {  // none shipped: plain warping
      }
    }
    if (!refiner_path.empty() && !(no_refiner && *enc))
      refiner = std::make_unique<codecs::video::PredictionRefiner>(codecs::video::PredictionRefiner::load(refiner_path));
    models.refiner = refiner.get();
    if (*enc) {
      if (out.empty()) out = with_extension(in, ".nvc");
      std::unique_ptr<Progress> bar;
      const auto r = codecs::video::encode_video(models, in, out, opt, [&](int64_t done, int64_t total) {
        if (quiet) return;
        if (!bar) bar = std::make_unique<Progress>("encoding", static_cast<uint64_t>(total));
        bar->update(static_cast<uint64_t>(done));
      });
      if (bar) bar->finish();
      if (!quiet)
        for (size_t k = 0; k < r.pass_log.size(); ++k) {
          if (r.pass_log[k].stopped)
            std::fprintf(stderr, "pass %zu (level q %.2f): over the target, stopped (about %lld bytes, %.0f%%)\n", k + 1, r.pass_log[k].q,
                         static_cast<long long>(r.pass_log[k].bytes), 100.0 * static_cast<double>(r.pass_log[k].bytes) / static_cast<double>(r.target_bytes));
          else
            std::fprintf(stderr, "pass %zu (%s %.2f): %lld bytes (%.1f%% of the target), mean PSNR (RGB) %.2f dB\n", k + 1,
                         r.pass_log[k].fixed_level ? "level q" : "frame shares, first I frame at q", r.pass_log[k].q,
                         static_cast<long long>(r.pass_log[k].bytes), 100.0 * static_cast<double>(r.pass_log[k].bytes) / static_cast<double>(r.target_bytes),
                         r.pass_log[k].psnr);
        }
      const std::string passes = r.passes > 1 ? ", pass " + std::to_string(r.kept_pass) + " of " + std::to_string(r.passes) + " kept" : "";
      if (!quiet)
        std::fprintf(stderr, "%s: %lld frames (%lld intra) %dx%d at %.3f fps -> %s, %lld bytes, %.1f kbit/s, %.4f bpp%s, %.1f s (%.2f fps)\n",
                     in.c_str(), static_cast<long long>(r.frames), static_cast<long long>(r.intra_frames), r.width, r.height, r.fps, out.c_str(),
                     static_cast<long long>(r.bytes), r.kbps, r.bpp, passes.c_str(), seconds_since(t0),
                     static_cast<double>(r.frames) / seconds_since(t0));
    } else if (*dec) {
      if (out.empty()) out = with_extension(in, ".y4m");
      const auto r = codecs::video::decode_video(models, in, out);
      if (!quiet)
        std::fprintf(stderr, "%s -> %s (%lld frames %dx%d), %.1f s (%.2f fps)\n", in.c_str(), out.c_str(),
                     static_cast<long long>(r.frames), r.width, r.height, seconds_since(t0),
                     static_cast<double>(r.frames) / seconds_since(t0));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vidcodec: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
