#include "quant/latent/uniform.h"

namespace nicodec::quant {

torch::Tensor round_ste(const torch::Tensor& x) { return x + (torch::round(x) - x).detach(); }

UniformOutput quantize_uniform(const torch::Tensor& y, const torch::Tensor& means, UniformSurrogate mode, bool training) {
  const torch::Tensor mu = means.defined() ? means : torch::zeros_like(y);
  if (!training) {
    auto q = torch::round(y - mu) + mu;
    return {q, q};
  }
  auto noisy = y + torch::empty_like(y).uniform_(-0.5, 0.5);
  auto ste = round_ste(y - mu) + mu;
  switch (mode) {
    case UniformSurrogate::kNoise: return {noisy, noisy};
    case UniformSurrogate::kSte: return {ste, ste};
    case UniformSurrogate::kMixed: return {noisy, ste};
  }
  return {noisy, noisy};
}

torch::Tensor uniform_symbols(const torch::Tensor& y, const torch::Tensor& means) {
  auto v = means.defined() ? y - means : y;
  return torch::round(v).to(torch::kInt32);
}

torch::Tensor uniform_dequantize(const torch::Tensor& symbols, const torch::Tensor& means) {
  auto v = symbols.to(torch::kFloat);
  return means.defined() ? v + means : v;
}

}  // namespace nicodec::quant
