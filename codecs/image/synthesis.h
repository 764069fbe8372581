// The synthesis transform g_s as the decoder runs it on CPU: its big convolutions (all but the last, which makes
// pixels and stays float) as int8 layers (quant/layers/int8_conv.h) with activation scales calibrated at export,
// its PixelShuffle and IGDN layers in float.
#pragma once
#include <torch/torch.h>

#include <map>
#include <vector>

#include "quant/layers/int8_conv.h"
#include "codecs/common/gdn.h"
#include "quant/model_file.h"

namespace nicodec::codecs::image {

struct ActivationRange {
  double in_scale, out_scale;  // one uint8 step, in real units
};

class Int8Synthesis {
 public:
  Int8Synthesis() = default;
  // Calibrates on latents y_hat * inv_gain [B, M, h, w]: activation ranges of each int8 layer.
  static std::map<size_t, ActivationRange> calibrate(torch::nn::Sequential& g_s, const torch::Tensor& latents);
  static void save(quant::ModelFile& f, const std::map<size_t, ActivationRange>& ranges);
  // Builds the int8 layers from g_s (already holding the file's weights) and the saved ranges; empty when the
  // file has none.
  static Int8Synthesis load(const quant::ModelFile& f, torch::nn::Sequential& g_s);

  bool empty() const { return layers_.empty(); }
  torch::Tensor forward(torch::nn::Sequential& g_s, const torch::Tensor& y) const;

 private:
  std::map<size_t, quant::Int8Conv2d> layers_;  // g_s module index -> int8 replacement
};

}  // namespace nicodec::codecs::image
