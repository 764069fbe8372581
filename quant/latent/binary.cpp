#include "quant/latent/binary.h"

namespace nicodec::quant {

BinaryOutput quantize_binary(const torch::Tensor& logits, bool training, bool stochastic) {
  auto p = torch::sigmoid(logits);
  torch::Tensor hard;
  if (training && stochastic) hard = torch::bernoulli(p.detach());
  else hard = (p.detach() >= 0.5).to(p.scalar_type());
  return {p + (hard - p).detach(), p};
}

torch::Tensor binary_bits(const torch::Tensor& bits, const torch::Tensor& prob) {
  auto p = prob.clamp(1e-9, 1 - 1e-9);
  return -(bits * torch::log2(p) + (1 - bits) * torch::log2(1 - p)).sum();
}

}  // namespace nicodec::quant
