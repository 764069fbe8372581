// Generalized divisive normalization (Ballé, Laparra & Simoncelli 2016):
//   GDN:  y_i = x_i / sqrt(beta_i + sum_j gamma_ij x_j^2)      (analysis transforms)
//   IGDN: y_i = x_i * sqrt(beta_i + sum_j gamma_ij x_j^2)      (synthesis transforms)
// beta and gamma stay nonnegative by storing their square roots (beta = b^2 + eps, gamma = g^2); the sum over
// j is a 1x1 convolution, so the layer costs one C x C matrix product per pixel.
#pragma once
#include <torch/torch.h>

namespace nicodec::codecs {

class GdnImpl : public torch::nn::Module {
 public:
  GdnImpl(int64_t channels, bool inverse);
  torch::Tensor forward(const torch::Tensor& x);
  // The effective (nonnegative) parameters, for export.
  torch::Tensor beta() const;
  torch::Tensor gamma() const;  // [C, C]
  bool inverse() const { return inverse_; }
  // Models made before the off-diagonal seeding (gamma_sqrt exactly 0 off the diagonal, where its gradient is 0
  // too) get the small seed, so further training can mix channels; returns whether it changed anything.
  bool unlock_off_diagonal();

 private:
  bool inverse_;
  torch::Tensor beta_sqrt_, gamma_sqrt_;
};
TORCH_MODULE(Gdn);

}  // namespace nicodec::codecs
