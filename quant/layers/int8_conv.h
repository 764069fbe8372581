// Int8 layers for CPU decoders (the float synthesis transforms): Linear, Conv1d, Conv2d and ConvTranspose2d with
// weights int8 (symmetric; one scale per output channel, per tensor for transposed convolutions), activations
// uint8 with one calibrated scale per tensor (zero point 128), and the output requantized to uint8 with a
// calibrated scale, then returned as float. Where the CPU has AVX-512 VNNI and the layer is a Linear or a
// stride-1 'same' Conv1d / Conv2d (every layer of our synthesis transforms), our own kernel runs it
// (quant/layers/int8_vnni.h); otherwise libtorch's quantized CPU kernels (FBGEMM where the build has it, else
// oneDNN, else QNNPACK), called through the dispatcher by name so it builds on libtorch 1.13 and 2.x.
//
// Unlike IntegerConv2d (integer-exact, for entropy parameters), this is for speed: results may differ by one
// output step between kernels. forward_reference() does the same quantized arithmetic in float64 by a plain
// convolution / matrix product on the dequantized integers: the fast path must stay within one output step.
#pragma once
#include <torch/torch.h>

#include <memory>

#include "quant/layers/int8_vnni.h"

namespace nicodec::quant {

enum class Int8Op { kLinear, kConv1d, kConv2d, kConvTranspose2d };

class Int8Layer {
 public:
  Int8Layer() = default;
  // Weights as the float layer holds them: Linear [out, in]; Conv1d [out, in, k]; Conv2d [out, in, k, k];
  // ConvTranspose2d [in, out, k, k]. in_scale / out_scale: the real value of one activation step.
  static Int8Layer linear(const torch::Tensor& w, const torch::Tensor& b, double in_scale, double out_scale);
  static Int8Layer conv1d(const torch::Tensor& w, const torch::Tensor& b, int64_t stride, int64_t padding,
                          double in_scale, double out_scale);
  static Int8Layer conv2d(const torch::Tensor& w, const torch::Tensor& b, int64_t stride, int64_t padding,
                          double in_scale, double out_scale);
  static Int8Layer conv_transpose2d(const torch::Tensor& w, const torch::Tensor& b, int64_t stride, int64_t padding,
                                    int64_t output_padding, double in_scale, double out_scale);
  // True when this libtorch has quantized CPU kernels (then forward() runs them; otherwise the reference).
  static bool available();

  torch::Tensor forward(const torch::Tensor& x) const;            // float in, float out
  torch::Tensor forward_reference(const torch::Tensor& x) const;  // the arithmetic spelled out, float64
  Int8Op op() const { return op_; }
  // Whether forward() runs the VNNI kernel; set_vnni(false) makes it use libtorch's (to compare the two).
  bool uses_vnni() const { return vnni_ && use_vnni_; }
  void set_vnni(bool on) { use_vnni_ = on; }
  double in_scale() const { return in_scale_; }
  double out_scale() const { return out_scale_; }

 private:
  Int8Layer(Int8Op op, const torch::Tensor& w, const torch::Tensor& b, int64_t stride, int64_t padding,
            int64_t output_padding, double in_scale, double out_scale);
  torch::Tensor forward_vnni(const torch::Tensor& x) const;
  Int8Op op_ = Int8Op::kConv2d;
  torch::Tensor qweight_, bias_;  // quantized weight (kQInt8), float bias
  c10::IValue packed_;
  std::shared_ptr<const Int8VnniConv> vnni_;  // null where the kernel does not apply or the CPU lacks it
  bool use_vnni_ = true;
  int64_t stride_ = 1, padding_ = 0, output_padding_ = 0;
  double in_scale_ = 1, out_scale_ = 1;
};

}  // namespace nicodec::quant
