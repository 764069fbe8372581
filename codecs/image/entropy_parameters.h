// The integer-exact hyper-synthesis h_s of the image codec (quant/layers/integer_conv.h): from the decoded
// hyper-latent symbols it computes, on any CPU, thread count or GPU, the same means and the same scale-table
// indexes for the latent y, so that the rANS decoder reads exactly what the encoder wrote.
//
// Fixed point: z symbols enter as integers; weights are int16 per output channel, hidden activations int16 with
// calibrated scales; the last layer
// is split in two: means come out in steps of 2^-mean_shift, log-scales in steps of 2^-kLogScaleShift.
// A log-scale l maps to the index of the smallest tabulated scale >= exp(l), through a table built with the
// deterministic det_exp of entropy/distributions.h.
#pragma once
#include <torch/torch.h>

#include <vector>

#include "codecs/image/model.h"
#include "entropy/cdf_tables.h"
#include "quant/layers/integer_conv.h"
#include "quant/model_file.h"

namespace nicodec::codecs::image {

constexpr int kLogScaleShift = 11;  // log-scale step 2^-11, range +-16
constexpr int kZMax = 32767;        // z symbols enter h_s clamped to +-kZMax

struct EntropyParameters {
  torch::Tensor means;  // float [B, M, h, w]: exact multiples of 2^-mean_shift
  torch::Tensor index;  // int32 [B, M, h, w]: scale table index per latent element
  torch::Tensor mean_q, log_scale_q;  // the integers they come from (int32, steps 2^-mean_shift and 2^-kLogScaleShift)
};

class IntegerHyperSynthesis {
 public:
  IntegerHyperSynthesis() = default;
  IntegerHyperSynthesis(std::vector<quant::IntegerConv2d> hidden, quant::IntegerConv2d mean_head,
                        quant::IntegerConv2d scale_head, int mean_shift);
  // From the trained float h_s, calibrated on hyper-latents z_hat ([B, Nz, h, w], integer-valued floats).
  static IntegerHyperSynthesis from_float(torch::nn::Sequential& h_s, int64_t M, const torch::Tensor& z_calib);
  // Saved as "h_s.int.<k>.{weight,bias,multiplier,shift}" (I8/I16/I32, the narrowest that holds them) plus metadata.
  void save(quant::ModelFile& f) const;
  static IntegerHyperSynthesis load(const quant::ModelFile& f, int64_t Nz, int64_t M);
  // Writes into a float h_s of the same shape (conv, ReLU, conv, ReLU, conv) weights that compute what this one
  // does, without its roundings and clamps: to train on from a model file, which keeps only the integer h_s.
  // ReLU is positively homogeneous, so each hidden layer's output is rescaled to give its weights the RMS that
  // h_s holds on entry (its fresh initialisation), the next layer's weights compensating.
  void to_float(torch::nn::Sequential& h_s) const;

  // z_symbols: integer tensor [B, Nz, h, w]. Exact and deterministic.
  EntropyParameters forward(const torch::Tensor& z_symbols) const;
  // The same through quant::integer_conv_reference (nested loops, int64): what forward() must equal.
  EntropyParameters forward_reference(const torch::Tensor& z_symbols) const;
  int mean_shift() const { return mean_shift_; }
  // Means and table indexes from integer means (steps 2^-mean_shift) and log-scales (steps 2^-kLogScaleShift),
  // e.g. after the checkerboard context corrected them (context_model.h).
  EntropyParameters finish(const torch::Tensor& mean_q, const torch::Tensor& log_scale_q) const;

 private:
  void build_index_lut();
  std::vector<quant::IntegerConv2d> hidden_;  // deconv + ReLU layers
  quant::IntegerConv2d mean_head_, scale_head_;
  int mean_shift_ = 6;
  std::vector<int32_t> index_lut_;  // log-scale symbol + 32768 -> table index
};

// The scale table and its rANS tables, shared by z and y (64 Gaussian scales from kScaleMin to kScaleMax).
const std::vector<double>& scale_table();
// The scale-table values at table indexes (float, the shape of `index`).
torch::Tensor table_scales(const torch::Tensor& index);
const entropy::CdfTables& gaussian_tables();

}  // namespace nicodec::codecs::image
