// Post-training int8 swap-in for a float torch::nn::Sequential (a decoder's synthesis transform): chosen
// Conv1d / Conv2d / ConvTranspose2d / Linear layers run as Int8Layer with activation ranges calibrated on sample inputs; every other layer (GDN,
// PixelShuffle, activations, the layers left in float) runs as it is.
//
// Typical use: calibrate once at export (ranges saved in the model file's metadata under a prefix), load with the
// float module holding the file's weights, then forward() instead of the module's own forward.
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>

#include "quant/layers/int8_conv.h"
#include "quant/model_file.h"

namespace nicodec::quant {

struct ActivationRange {
  double in_scale, out_scale;  // one uint8 step, in real units
};

class Int8Sequential {
 public:
  Int8Sequential() = default;
  // The layers swapped in: every Conv1d, Conv2d, ConvTranspose2d and Linear of `seq`, except the last one when
  // keep_last_float (the layer that makes
  // pixels or samples, where 8-bit output steps would show).
  static std::vector<size_t> int8_layers(torch::nn::Sequential& seq, bool keep_last_float = true);
  // Ranges of those layers' inputs and outputs on `inputs` (99.995th percentile of |x|: a lone outlier would
  // coarsen every step).
  static std::map<size_t, ActivationRange> calibrate(torch::nn::Sequential& seq, const torch::Tensor& inputs,
                                                     bool keep_last_float = true);
  static void save(ModelFile& f, const std::string& prefix, const std::map<size_t, ActivationRange>& ranges);
  // calibrate() on `inputs`, save() under prefix, and the export report's lines: per swapped-in layer its output
  // SQNR (layer_sqnr_db), named "<name>.<index>".
  static std::string calibrate_and_save(ModelFile& f, const std::string& prefix, const std::string& name,
                                        torch::nn::Sequential& seq, const torch::Tensor& inputs);
  // Builds the int8 layers from seq's current weights and the ranges saved under prefix; empty if none are saved.
  static Int8Sequential load(const ModelFile& f, const std::string& prefix, torch::nn::Sequential& seq,
                             bool keep_last_float = true);
  static Int8Sequential from_ranges(torch::nn::Sequential& seq, const std::map<size_t, ActivationRange>& ranges);

  // Per swapped-in layer, the output error it adds on `inputs`: SQNR in dB of its int8 output against the float
  // layer's output for the same (float) input. What a quantization report prints beside the weight sizes.
  std::map<size_t, double> layer_sqnr_db(torch::nn::Sequential& seq, const torch::Tensor& inputs) const;

  bool empty() const { return layers_.empty(); }
  torch::Tensor forward(torch::nn::Sequential& seq, const torch::Tensor& x) const;

 private:
  std::map<size_t, Int8Layer> layers_;  // module index -> int8 replacement
};

}  // namespace nicodec::quant
