// audiocodec-train: trains (or resumes training of) the audiocodec model. Thin: parses arguments, calls
// codecs/audio/trainer (and codecs/audio/model_io for --export).
#include <CLI/CLI.hpp>

#include <cstdio>

#include "codecs/audio/model_io.h"
#include "codecs/audio/trainer.h"
#include "core/error.h"
#include "core/torch_runtime.h"

int main(int argc, char** argv) {
  using namespace nicodec;
  codecs::audio::AudioTrainConfig cfg;
  int threads = 0;
  CLI::App app{"audiocodec-train: train the audiocodec model on random crops of speech and music recordings.\n"
               "Checkpoints go to --checkpoint; running again with the same folder resumes where it stopped."};
  app.add_option("--data", cfg.data_dir, "training set with speech/ and music/ subfolders (data/build_audio_sets.sh)")
      ->capture_default_str();
  app.add_option("--checkpoint", cfg.checkpoint_dir, "checkpoint folder (resumed if it holds one)")->capture_default_str();
  app.add_option("--device", cfg.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}))->capture_default_str();
  app.add_option("--steps", cfg.steps, "total training steps")->check(CLI::Range(1, 100000000))->capture_default_str();
  app.add_option("--batch", cfg.batch, "crops per step")->check(CLI::Range(1, 1024))->capture_default_str();
  app.add_option("--crop-frames", cfg.crop_frames, "crop length in latent frames (40 ms each)")
      ->check(CLI::Range(8, 4096))->capture_default_str();
  app.add_option("--lr", cfg.lr, "Adam learning rate (divided by 10 for the last 15% of the steps)")->capture_default_str();
  app.add_option("--speech-fraction", cfg.speech_fraction, "share of speech crops")->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--checkpoint-every", cfg.checkpoint_every, "steps between checkpoints")->check(CLI::Range(1, 100000000))
      ->capture_default_str();
  app.add_option("--log-every", cfg.log_every, "steps between log lines")->check(CLI::Range(1, 100000000))->capture_default_str();
  app.add_option("--seed", cfg.seed, "random seed")->capture_default_str();
  app.add_option("--threads", threads, "CPU threads (default: $NICODEC_THREADS or all cores)");
  app.add_option("--channels", cfg.model.channels, "model width (new runs only)")->check(CLI::Range(16, 2048))
      ->capture_default_str();
  app.add_option("--quantizers", cfg.model.num_quantizers, "RVQ stages (new runs only)")->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--codebook-size", cfg.model.codebook_size, "codes per stage (new runs only)")->check(CLI::Range(2, 65536))
      ->capture_default_str();
  app.add_flag("--adversarial", cfg.adversarial,
               "add multi-period and multi-resolution STFT discriminators (LSGAN + feature matching); use on a GPU");
  app.add_option("--adv-start", cfg.adv_start, "step from which the adversarial losses apply")->capture_default_str();
  app.add_option("--phase-bins", cfg.model.phase_bins,
                 "STFT bins (25 Hz each) whose phase the encoder sees beside the magnitudes (new runs only; 0: none)")
      ->check(CLI::Range(0, 321))->capture_default_str();
  app.add_option("--phase-weight", cfg.phase_weight,
                 "weight of the phase loss (magnitude-weighted phase error below --phase-max-hz; pass it again when resuming)")
      ->check(CLI::Range(0.0, 100.0))->capture_default_str();
  app.add_option("--phase-max-hz", cfg.phase_max_hz, "upper frequency of the phase loss")->check(CLI::Range(1.0, 24000.0))
      ->capture_default_str();
  app.add_option("--init-from", cfg.init_from,
                 "start a new run from the weights of a checkpoint folder or a model file (.nicm; same model; --phase-bins "
                 "may add encoder inputs)");
  std::string export_path, format = "int8", notes;
  uint32_t version = 1;
  int64_t snapshot = 0;
  app.add_option("--export", export_path,
                 "instead of training: write the checkpoint as a model file for audiocodec (weights and codebooks "
                 "quantized; reports what that costs in log-mel distance on training crops)");
  app.add_option("--format", format, "weight format (int8, int4g32, ..., or f32)")->capture_default_str();
  app.add_option("--model-version", version, "model version written into the file and every bitstream")->capture_default_str();
  app.add_option("--notes", notes, "training notes stored in the model file");
  app.add_option("--snapshot", snapshot, "with --export: the weights kept at this step (every 1000) instead of the latest");
  CLI11_PARSE(app, argc, argv);
  try {
    setup_torch_threads(threads);
    if (!export_path.empty()) {
      int64_t step = 0;
      auto net = codecs::audio::load_checkpoint_model(cfg.checkpoint_dir, &step, snapshot);
      const auto& mc = net->config();
      auto val = codecs::audio::sample_crops(cfg.data_dir, static_cast<int>(mc.sample_rate), 16, 100 * mc.frame_samples(),
                                             cfg.speech_fraction, cfg.seed + 12345);
      if (notes.empty()) notes = "trained " + std::to_string(step) + " steps on " + cfg.data_dir;
      std::fprintf(stderr, "%s", codecs::audio::export_audio_model(net, val, format, version, notes, export_path).c_str());
      std::fprintf(stderr, "audiocodec-train: exported %s (step %lld) to %s\n", cfg.checkpoint_dir.c_str(),
                   static_cast<long long>(step), export_path.c_str());
      return 0;
    }
    codecs::audio::train(cfg);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "audiocodec-train: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
