// Int8 convolution for CPU decoders (the float synthesis transforms): weights int8, symmetric, one scale per
// output channel; activations uint8 with one calibrated scale per tensor (zero point 128); output requantized to
// uint8 with a calibrated scale, then returned as float. Runs on libtorch's quantized CPU kernels (FBGEMM where
// the build has it, else oneDNN, else QNNPACK).
//
// Unlike IntegerConv2d (integer-exact, for entropy parameters), this layer is for speed: results may differ by
// one output step between kernels. forward_reference() computes the same quantized arithmetic in float64 by a
// plain convolution on the dequantized integers: the fast path must stay within one output step of it.
#pragma once
#include <torch/torch.h>

namespace nicodec::quant {

class Int8Conv2d {
 public:
  Int8Conv2d() = default;
  // weight [out, in, k, k], bias [out]; in_scale / out_scale: the real value of one activation step.
  Int8Conv2d(const torch::Tensor& weight, const torch::Tensor& bias, int64_t stride, int64_t padding, double in_scale,
             double out_scale);
  // True when this libtorch has quantized CPU convolutions (then forward() runs them).
  static bool available();

  torch::Tensor forward(const torch::Tensor& x) const;            // float in, float out
  torch::Tensor forward_reference(const torch::Tensor& x) const;  // the arithmetic spelled out, float64
  double in_scale() const { return in_scale_; }
  double out_scale() const { return out_scale_; }

 private:
  torch::Tensor qweight_, bias_;  // quantized per-channel weight (kQInt8), float bias
  c10::IValue packed_;
  int64_t stride_ = 1, padding_ = 0;
  double in_scale_ = 1, out_scale_ = 1;
};

}  // namespace nicodec::quant
