#include "quant/latent/fsq.h"

#include "core/error.h"
#include "quant/latent/uniform.h"

namespace nicodec::quant {

FSQ::FSQ(std::vector<int64_t> levels) : levels_(std::move(levels)) {
  if (levels_.empty()) throw UsageError("FSQ: needs at least one channel");
  std::vector<int64_t> basis;
  for (int64_t l : levels_) {
    if (l < 2) throw UsageError("FSQ: every level count must be >= 2");
    basis.push_back(size_);
    size_ *= l;
    if (size_ > (int64_t{1} << 31)) throw UsageError("FSQ: implicit codebook larger than 2^31");
  }
  levels_t_ = torch::tensor(levels_, torch::kLong);
  basis_ = torch::tensor(basis, torch::kLong);
  half_width_ = torch::floor(levels_t_.to(torch::kFloat) / 2);
}

torch::Tensor FSQ::quantize(const torch::Tensor& z) const {
  auto L = levels_t_.to(z.device(), torch::kFloat);
  // Bound to (-(L-1)/2, (L-1)/2), shifted by 1/2 for even L so rounding yields exactly L values.
  auto half_l = (L - 1) * (1 + 1e-3f) / 2;
  auto offset = torch::where(levels_t_.to(z.device()) % 2 == 0, torch::full_like(L, 0.5f), torch::zeros_like(L));
  auto shift = torch::atanh(offset / half_l);
  auto bounded = torch::tanh(z + shift) * half_l - offset;
  return round_ste(bounded) / half_width_.to(z.device());
}

torch::Tensor FSQ::codes_to_indices(const torch::Tensor& codes) const {
  auto hw = half_width_.to(codes.device());
  auto digits = torch::round(codes * hw + hw).to(torch::kLong);
  return (digits * basis_.to(codes.device())).sum(-1);
}

torch::Tensor FSQ::indices_to_codes(const torch::Tensor& indices) const {
  auto idx = indices.to(torch::kLong).unsqueeze(-1);
  auto digits = torch::remainder(torch::div(idx, basis_.to(idx.device()), "floor"), levels_t_.to(idx.device()));
  auto hw = half_width_.to(idx.device());
  return (digits.to(torch::kFloat) - hw) / hw;
}

}  // namespace nicodec::quant
