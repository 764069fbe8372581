// nicodec-train: trains (or resumes training of) the nicodec image model. Thin: parses arguments, calls
// codecs/image/trainer.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "codecs/common/image_crops.h"
#include "codecs/image/context_trainer.h"
#include "codecs/image/model_io.h"
#include "codecs/image/trainer.h"
#include "core/error.h"
#include "core/torch_runtime.h"

int main(int argc, char** argv) {
  using namespace nicodec;
  codecs::image::TrainConfig cfg;
  int threads = 0;
  CLI::App app{"nicodec-train: train the nicodec image model on random crops of a folder of photos.\n"
               "Checkpoints go to --checkpoint; running again with the same folder resumes where it stopped."};
  app.add_option("--data", cfg.data_dir, "folder of training photos (data/build_image_sets.sh builds one)")
      ->capture_default_str();
  app.add_option("--checkpoint", cfg.checkpoint_dir, "checkpoint folder (resumed if it holds one)")->capture_default_str();
  app.add_option("--device", cfg.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}))->capture_default_str();
  app.add_option("--steps", cfg.steps, "total training steps")->check(CLI::Range(1, 100000000))->capture_default_str();
  app.add_option("--batch", cfg.batch, "crops per step")->check(CLI::Range(1, 1024))->capture_default_str();
  app.add_option("--crop", cfg.crop, "crop size (multiple of 64)")->check(CLI::Range(64, 4096))->capture_default_str();
  app.add_option("--lr", cfg.lr, "Adam learning rate (divided by 10 for the last 15% of the steps)")->capture_default_str();
  app.add_option("--checkpoint-every", cfg.checkpoint_every, "steps between checkpoints")->check(CLI::Range(1, 100000000))
      ->capture_default_str();
  app.add_option("--log-every", cfg.log_every, "steps between log lines")->check(CLI::Range(1, 100000000))->capture_default_str();
  app.add_option("--seed", cfg.seed, "random seed")->capture_default_str();
  app.add_option("--q-min", cfg.q_min, "lowest rate level trained (levels below 0 shrink every gain alike)")
      ->check(CLI::Range(-8.0, 0.0))->capture_default_str();
  app.add_option("--zoom", cfg.zoom, "share of crops taken from a smaller square and scaled up (1x-3x): smooth content")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();
  app.add_option("--threads", threads, "CPU threads (default: $NICODEC_THREADS or all cores)");
  app.add_option("--N", cfg.model.N, "model width (new runs only)")->check(CLI::Range(8, 1024))->capture_default_str();
  app.add_option("--M", cfg.model.M, "latent channels (new runs only)")->check(CLI::Range(8, 1024))->capture_default_str();
  app.add_option("--Nz", cfg.model.Nz, "hyper-latent channels (new runs only)")->check(CLI::Range(8, 1024))->capture_default_str();
  app.add_option("--init-from", cfg.init_from,
                 "a new run starts from the weights of this model file (.nicm), e.g. to train more rate levels")
      ->check(CLI::ExistingFile);
  app.add_option("--levels", cfg.model.levels, "trained rate levels (new runs only; with --init-from, at least the file's)")->check(CLI::Range(2, 32))->capture_default_str();
  app.add_option("--lambda-min", cfg.model.lambda_min, "lambda of rate level 0 (doubles per level; new runs only)")
      ->capture_default_str();
  std::string export_path, format = "int8", notes;
  uint32_t version = 1;
  app.add_option("--export", export_path,
                 "instead of training: write the checkpoint as a model file for nicodec (weights quantized, integer "
                 "h_s calibrated on crops of --data)");
  app.add_option("--format", format, "weight format of the exported float transforms (int8, int4g32, ..., or f32)")
      ->capture_default_str();
  app.add_option("--model-version", version, "model version written into the file and every bitstream")->capture_default_str();
  app.add_option("--notes", notes, "training notes stored in the model file");
  int64_t snapshot = 0;
  std::vector<std::string> validate_images;
  app.add_option("--validate", validate_images,
                 "instead of training: print the float model's bpp and PSNR at q = -2, 0, 2, ... up to its top level on these images "
                 "(latest weights, or --snapshot N)");
  app.add_option("--snapshot", snapshot, "with --export: the weights kept at this step (every 1000) instead of the latest");
  codecs::image::ContextTrainConfig ctx_cfg;
  app.add_option("--context", ctx_cfg.model_path,
                 "train a checkerboard context for this model file instead (the model stays frozen; --checkpoint, "
                 "--steps, --batch, --lr, --data, --seed apply; with --export: write the model file plus the context)");
  app.add_option("--context-channels", ctx_cfg.channels, "width of the context network (new runs only)")
      ->check(CLI::Range(8, 1024))->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (app.count("--levels")) cfg.init_levels = cfg.model.levels;
  try {
    if (cfg.crop % 64 != 0) throw UsageError("--crop must be a multiple of 64");
    setup_torch_threads(threads);
    if (!ctx_cfg.model_path.empty()) {
      ctx_cfg.data_dir = cfg.data_dir;
      if (app.count("--checkpoint")) ctx_cfg.checkpoint_dir = cfg.checkpoint_dir;
      ctx_cfg.seed = cfg.seed;
      ctx_cfg.log_every = cfg.log_every;
      // The main trainer's defaults do not suit this small network; the context's own apply unless given.
      if (app.count("--steps")) ctx_cfg.steps = cfg.steps;
      if (app.count("--batch")) ctx_cfg.batch = cfg.batch;
      if (app.count("--crop")) ctx_cfg.crop = cfg.crop;
      if (app.count("--lr")) ctx_cfg.lr = cfg.lr;
      if (app.count("--checkpoint-every")) ctx_cfg.checkpoint_every = cfg.checkpoint_every;
      if (app.count("--q-min")) ctx_cfg.q_min = cfg.q_min;
      if (!export_path.empty()) {
        std::fprintf(stderr, "%s", codecs::image::export_context_model(ctx_cfg, version, notes, export_path).c_str());
        std::fprintf(stderr, "nicodec-train: exported %s with the context of %s to %s\n", ctx_cfg.model_path.c_str(),
                     ctx_cfg.checkpoint_dir.c_str(), export_path.c_str());
        return 0;
      }
      codecs::image::train_context(ctx_cfg);
      return 0;
    }
    if (!validate_images.empty()) {
      int64_t step = 0;
      auto net = codecs::image::load_checkpoint_model(cfg.checkpoint_dir, &step, snapshot);
      std::vector<double> levels;
      for (double q = -2; q <= static_cast<double>(net->config().levels - 1); q += 2) levels.push_back(q);
      std::printf("step %lld\n%s", static_cast<long long>(step),
                  codecs::image::validate(net, validate_images, levels).c_str());
      return 0;
    }
    if (!export_path.empty()) {
      int64_t step = 0;
      auto net = codecs::image::load_checkpoint_model(cfg.checkpoint_dir, &step, snapshot);
      std::mt19937_64 rng(cfg.seed);
      auto calib = codecs::ImageCrops(cfg.data_dir, 256).batch(16, rng);
      if (notes.empty()) notes = "trained " + std::to_string(step) + " steps on " + cfg.data_dir;
      const std::string report = codecs::image::export_model(net, calib, format, version, notes, export_path);
      std::fprintf(stderr, "%s", report.c_str());
      std::fprintf(stderr, "nicodec-train: exported %s (step %lld) to %s\n", cfg.checkpoint_dir.c_str(),
                   static_cast<long long>(step), export_path.c_str());
      return 0;
    }
    codecs::image::train(cfg);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nicodec-train: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
