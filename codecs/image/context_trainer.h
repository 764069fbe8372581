// Training of the checkerboard context (context_model.h) on a frozen nicodec model file: g_a, h_a, the gains and
// the integer h_s give y, its symbols and the hyperprior's parameters exactly as the codec computes them; only the
// context network learns, on the bits of the non-anchor half (Gaussian likelihood of y + uniform noise under the
// corrected means and scales). Latents of a pool of random crops are computed once, so a step costs h_a, the
// integer h_s and the small network: minutes on a CPU. Checkpoints resume like the main trainer's.
#pragma once
#include <cstdint>
#include <string>

namespace nicodec::codecs::image {

struct ContextTrainConfig {
  std::string model_path;  // the frozen model file to extend (a model without a context)
  std::string data_dir = "data/sets/images-train";
  std::string checkpoint_dir = "work/train-context";
  int64_t steps = 3000;
  int64_t batch = 16;
  int64_t crop = 256;
  int64_t pool = 1024;     // crops whose latents are computed once and drawn from
  int64_t channels = 128;  // width of the context network (new runs only)
  double lr = 1e-3;        // Adam; / 10 for the last 25% of the steps
  double q_min = -2;       // rate levels drawn uniformly from [q_min, levels - 1]
  int64_t log_every = 50;
  int64_t checkpoint_every = 250;
  uint64_t seed = 1;
};

// Runs (or resumes) training; progress on stderr and in <checkpoint_dir>/log.csv.
void train_context(const ContextTrainConfig& cfg);

// Writes cfg.model_path plus the trained context (integer form, calibrated on crops of cfg.data_dir) as a new
// model file with model version `version`; files of the base model's version still decode with it (without the
// context). Returns a report: the non-anchor bits with and without the context on the calibration crops.
std::string export_context_model(const ContextTrainConfig& cfg, uint32_t version, const std::string& notes,
                                 const std::string& out_path);

}  // namespace nicodec::codecs::image
