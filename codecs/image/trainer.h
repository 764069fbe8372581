// Training of the nicodec image model: random crops, rate-distortion loss lambda(q) * 255^2 * MSE + bpp with a
// continuous rate level q drawn per crop, Adam, checkpoints that resume exactly where they stopped.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "codecs/image/model.h"

namespace nicodec::codecs::image {

struct TrainConfig {
  std::string data_dir = "data/sets/images-train";
  std::string checkpoint_dir = "work/train-image";
  std::string device = "cpu";  // "cpu" or "cuda"
  int64_t steps = 20000;        // total, counting steps done before a resume
  int64_t batch = 8;
  int64_t crop = 128;
  double lr = 3e-4;
  double lr_drop_at = 0.85;     // lr / 10 for the last 15% of the steps
  double clip_norm = 1.0;
  int64_t log_every = 50;
  int64_t checkpoint_every = 500;
  uint64_t seed = 1;
  double q_min = -2;            // rate levels drawn from [q_min, levels-1]; below 0 all gains shrink alike
  double zoom = 0;              // share of crops zoomed in (codecs/common/image_crops.h), up to 3x
  std::string init_from;        // a new run starts from this model file's weights (trainable_from_model_file)
  int64_t init_levels = 0;      // with init_from: rate levels of the new run (0: the file's)
  ModelConfig model;            // used for a new run; a resumed run keeps its checkpoint's
};

// Runs (or resumes) training; prints progress lines to stderr and appends them to <checkpoint_dir>/log.csv.
void train(const TrainConfig& cfg);

// Float-model rate and quality (rate from the likelihoods, exact rounding) at rate levels `q` on the images
// (cropped to multiples of 64): one line per level with the mean bpp and PSNR, for picking among snapshots.
// Use training or validation pictures, never the evaluation set.
std::string validate(ImageModel& net, const std::vector<std::string>& images, const std::vector<double>& q);

// A trainable model holding a model file's weights: g_a, h_a, g_s, the gains and the z prior as stored
// (dequantized), h_s rebuilt in float from the integer one (IntegerHyperSynthesis::to_float). `levels` may exceed
// the file's: the new top levels start where gain() extrapolates the file's top level to (every gain growing by
// 2^(1/2) per level), so at step 0 the model codes as the file does at every q. levels 0: the file's.
ImageModel trainable_from_model_file(const std::string& path, int64_t levels);

// Checkpoint files: <dir>/model.pt (weights), <dir>/optim.pt, <dir>/state.txt (step and model config), and
// <dir>/model-<step>.pt every 1000 steps.
bool has_checkpoint(const std::string& dir);
// The latest weights, or those of snapshot step `snapshot` (> 0).
ImageModel load_checkpoint_model(const std::string& dir, int64_t* step = nullptr, int64_t snapshot = 0);

}  // namespace nicodec::codecs::image
