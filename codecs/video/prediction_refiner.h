// The motion-compensation refinement net of P frames (issue 7; the "motion compensation network" of DVC, Lu et
// al. 2019, made light for CPUs): the warped reference goes through a small CNN that predicts a correction, and
// the prediction is warped + correction. It learns what bilinear warping of a decoded frame gets wrong: the
// coding artefacts and blur of the reference, carried from frame to frame while P frames code no residual.
//
//   pred' = clamp(pred + net(pred - 1/2), 0, 1)
//   net: PixelUnshuffle(2) -> 3x3 conv 12 -> C, ReLU -> (layers - 2) x [3x3 conv C -> C, ReLU] -> 3x3 conv C -> 12
//        -> PixelShuffle(2)
// Everything runs at half resolution (the unshuffle folds each 2x2 block into channels), so a 720p frame costs
// about 12 GFLOP at C = 32, layers = 4. The last convolution starts at zero: an untrained net changes nothing.
//
// The encoder applies it to a P frame only where it lowers the frame's error (one flag per frame in the
// record, docs/bitstream.md), so a refiner never makes a frame worse than plain warping did.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "core/media/image_io.h"
#include "quant/layers/int8_sequential.h"
#include "quant/model_file.h"

namespace nicodec::codecs::video {

inline constexpr const char* kRefinerArchitecture = "vidcodec-mc-refiner-v1";
// The shipped refiner in data/models, which vidcodec loads by default when it is there.
inline constexpr const char* kRefinerFile = "vidcodec-refiner-v1.nicm";

struct RefinerConfig {
  int64_t channels = 32;
  int64_t layers = 4;  // convolutions, >= 2
};

class RefinerNetImpl : public torch::nn::Module {
 public:
  explicit RefinerNetImpl(const RefinerConfig& cfg);
  // pred: [B, 3, H, W] in [0, 1], H and W even. Returns the refined prediction, in [0, 1].
  torch::Tensor forward(const torch::Tensor& pred);
  // The correction alone, through the int8 layers when given (the decoder's path).
  torch::Tensor correction(const torch::Tensor& pred, const quant::Int8Sequential* int8 = nullptr);
  const RefinerConfig& config() const { return cfg_; }
  torch::nn::Sequential body{nullptr};

 private:
  RefinerConfig cfg_;
};
TORCH_MODULE(RefinerNet);

// What vidcodec holds: the net with its weights from a model file and, when the file has calibration ranges,
// its convolutions in int8 (all but the last, quant/layers/int8_sequential.h).
class PredictionRefiner {
 public:
  static PredictionRefiner load(const std::string& path);
  static PredictionRefiner load(const quant::ModelFile& f);
  // A refiner that runs a float net as it is, without int8 layers (tests).
  static PredictionRefiner from_net(RefinerNet net, uint32_t version);
  // Any frame size (odd sizes are padded by edge replication and cropped back). The same pixels on every call
  // and with any thread count on one machine (tested for the int8 path); other CPUs may differ slightly.
  Image refine(const Image& pred) const;
  uint32_t version() const { return version_; }
  bool int8() const { return !int8_.empty(); }

 private:
  RefinerNet net_{nullptr};
  quant::Int8Sequential int8_;
  uint32_t version_ = 0;
};

// Writes the net to a model file: weights int8 (or `weight_format`), the int8 layers' activation ranges
// calibrated on `calib` (predictions [B, 3, H, W] in [0, 1], H and W even). Returns a report (per layer weight
// and output SQNR, file size).
std::string export_refiner(RefinerNet& net, const torch::Tensor& calib, const std::string& weight_format, uint32_t version,
                           const std::string& training_notes, const std::string& path);

}  // namespace nicodec::codecs::video
