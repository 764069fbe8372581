// Finite scalar quantization (Mentzer et al. 2023, "Finite Scalar Quantization: VQ-VAE Made Simple"):
// each of d channels is bounded and rounded to L_i levels, giving an implicit codebook of prod(L_i) codes
// with no codebook to learn and no collapse.
#pragma once
#include <torch/torch.h>

#include <vector>

namespace nicodec::quant {

class FSQ {
 public:
  explicit FSQ(std::vector<int64_t> levels);  // each level >= 2; product <= 2^31

  int64_t dim() const { return static_cast<int64_t>(levels_.size()); }
  int64_t codebook_size() const { return size_; }
  // z [..., d] -> codes in [-1, 1] [..., d] (straight-through rounding).
  torch::Tensor quantize(const torch::Tensor& z) const;
  // codes [..., d] -> indices [...] int64 in [0, codebook_size) and back.
  torch::Tensor codes_to_indices(const torch::Tensor& codes) const;
  torch::Tensor indices_to_codes(const torch::Tensor& indices) const;

 private:
  std::vector<int64_t> levels_;
  int64_t size_ = 1;
  torch::Tensor levels_t_, basis_, half_width_;
};

}  // namespace nicodec::quant
