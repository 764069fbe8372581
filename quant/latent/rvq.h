// Residual vector quantization (Zeghidour et al. 2021, SoundStream): stage i quantizes what stages 0..i-1
// left. Quantizer dropout trains with a random number of stages per batch, so one model decodes at 1..N
// stages: that is how the audio bitrate scales.
#pragma once
#include <torch/torch.h>

#include "quant/latent/vq.h"

namespace nicodec::quant {

struct RVQOptions {
  int64_t num_quantizers = 8;
  VQOptions vq;
  double dropout_probability = 1.0;  // fraction of training batches that use a random stage count
  uint64_t seed = 0;
};

struct RVQOutput {
  torch::Tensor quantized;  // [N, dim], sum of the stages used
  torch::Tensor indices;    // [stages, N] int64
  torch::Tensor loss;       // sum of the stages' VQ losses
  int64_t stages;           // stages used
};

class ResidualVQImpl : public torch::nn::Module {
 public:
  explicit ResidualVQImpl(RVQOptions opt);
  // stages < 0: all in evaluation, a random count (quantizer dropout) in training.
  RVQOutput forward(const torch::Tensor& x, int64_t stages = -1);
  torch::Tensor encode(const torch::Tensor& x, int64_t stages);  // [stages, N]
  torch::Tensor decode(const torch::Tensor& indices);            // uses indices.size(0) stages
  int64_t revive_dead_codes(const torch::Tensor& x);
  int64_t num_quantizers() const { return opt_.num_quantizers; }
  VectorQuantizer stage(int64_t i) const { return layers_[static_cast<size_t>(i)]; }

 private:
  RVQOptions opt_;
  std::vector<VectorQuantizer> layers_;
  at::Generator gen_;
};
TORCH_MODULE(ResidualVQ);

}  // namespace nicodec::quant
