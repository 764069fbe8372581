// Training of the audiocodec model: random crops of the training split's speech and music (70 / 30), random
// gain, quantizer dropout (a random stage count per step, so one model serves every bitrate), loss
// mel + 0.5 stft + 0.1 commitment (codecs/audio/losses.h), Adam, EMA codebooks with k-means init and dead-code
// replacement, checkpoints that resume where they stopped. Adversarial losses optional (--adversarial).
#pragma once
#include <cstdint>
#include <string>

#include "codecs/audio/model.h"

namespace nicodec::codecs::audio {

struct AudioTrainConfig {
  std::string data_dir = "data/sets/audio-train";  // <dir>/speech/*.wav, <dir>/music/*.wav (any rate)
  std::string checkpoint_dir = "work/train-audio";
  std::string device = "cpu";
  int64_t steps = 20000;
  int64_t batch = 16;
  int64_t crop_frames = 48;  // latent frames per crop (48 * 640 samples = 1.92 s)
  double lr = 5e-4;
  double lr_drop_at = 0.85;
  double clip_norm = 1.0;
  double speech_fraction = 0.7;
  int64_t revive_every = 50;
  int64_t log_every = 50;
  int64_t checkpoint_every = 250;
  uint64_t seed = 1;
  // Adversarial losses (codecs/audio/discriminators.h): generator loss = spectral losses + adv_weight * LSGAN +
  // fm_weight * feature matching, from step adv_start on; the discriminators train with their own Adam.
  bool adversarial = false;
  int64_t adv_start = 0;
  double adv_weight = 0.025, fm_weight = 0.05, disc_lr = 2e-4;  // HiFi-GAN's 1 : 2 : 45 (adv : fm : mel), / 45
  // + phase_weight * the phase loss below phase_max_hz (losses.h), for models whose encoder sees the phase.
  double phase_weight = 0, phase_max_hz = 2000;
  // A new run (empty checkpoint folder) may start from another run's weights (a checkpoint folder: its latest
  // checkpoint; or a model file such as data/models/audiocodec-v2.nicm, see trainable_from_model_file): the same
  // architecture except model.phase_bins, whose new encoder inputs start at zero weight (so the run starts
  // exactly where the other one stopped). Its step count starts at 0.
  std::string init_from;
  AudioModelConfig model;
};

void train(const AudioTrainConfig& cfg);

// n crops of len samples from the training set (speech_fraction of them speech), as the trainer draws them:
// for export calibration and quick checks. Never point it at evaluation clips.
torch::Tensor sample_crops(const std::string& data_dir, int sample_rate, int64_t n, int64_t len, double speech_fraction,
                           uint64_t seed);

// A new model of `cfg` holding `from`'s weights and codebooks (what --init-from starts with): the architectures
// must agree except phase_bins, and the encoder inputs `from` lacks get zero weights, so the new model computes
// exactly what `from` does. Throws UsageError otherwise.
AudioModel extend_model(AudioModel from, const AudioModelConfig& cfg);

// The network of a model file (its weights as stored, e.g. int8-rounded) ready to train on: each RVQ stage's EMA
// state rebuilt from the file's usage counts, scaled to `vectors_per_step` latent vectors (batch x crop frames),
// and marked initialized so no k-means init overwrites the codebooks. Throws FormatError for a bad file.
AudioModel trainable_from_model_file(const std::string& path, int64_t vectors_per_step);

bool has_checkpoint(const std::string& dir);
AudioModel load_checkpoint_model(const std::string& dir, int64_t* step = nullptr, int64_t snapshot = 0);

}  // namespace nicodec::codecs::audio
