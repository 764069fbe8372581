#include "quant/latent/kmeans.h"

#include "core/error.h"

namespace nicodec::quant {

torch::Tensor squared_distances(const torch::Tensor& x, const torch::Tensor& c) {
  auto d = x.pow(2).sum(1, true) - 2 * torch::matmul(x, c.t()) + c.pow(2).sum(1).unsqueeze(0);
  return d.clamp_min(0);
}

torch::Tensor kmeans_plus_plus(const torch::Tensor& x_in, int64_t k, uint64_t seed, const torch::Tensor& weights) {
  torch::NoGradGuard ng;
  auto x = x_in.to(torch::kFloat);
  const int64_t n = x.size(0);
  if (n < 1 || k < 1) throw UsageError("k-means++: needs points and k >= 1");
  auto gen = at::detail::createCPUGenerator(seed);
  auto w = weights.defined() ? weights.to(x.device(), torch::kFloat).clamp_min(0) : torch::ones({n}, x.options());
  std::vector<int64_t> picks;
  picks.push_back(torch::multinomial((w + 1e-12).cpu(), 1, false, gen).item<int64_t>());
  auto best = squared_distances(x, x.index({picks[0]}).unsqueeze(0)).squeeze(1);
  for (int64_t i = 1; i < k; ++i) {
    auto p = (best * w).cpu();
    const double total = p.sum().item<double>();
    const int64_t j = total > 0 ? torch::multinomial(p, 1, false, gen).item<int64_t>()
                                : torch::randint(n, {1}, gen, torch::kLong).item<int64_t>();
    picks.push_back(j);
    best = torch::minimum(best, squared_distances(x, x.index({j}).unsqueeze(0)).squeeze(1));
  }
  return x.index({torch::tensor(picks, torch::kLong).to(x.device())}).clone();
}

KMeansResult kmeans(const torch::Tensor& x_in, int64_t k, int iterations, uint64_t seed, const torch::Tensor& weights) {
  torch::NoGradGuard ng;
  auto x = x_in.to(torch::kFloat);
  auto w = weights.defined() ? weights.to(x.device(), torch::kFloat).clamp_min(0) : torch::ones({x.size(0)}, x.options());
  auto c = kmeans_plus_plus(x, k, seed, w);
  torch::Tensor assign;
  for (int it = 0; it <= iterations; ++it) {
    assign = squared_distances(x, c).argmin(1);
    if (it == iterations) break;
    auto sums = torch::zeros_like(c).index_add_(0, assign, x * w.unsqueeze(1));
    auto mass = torch::zeros({k}, x.options()).index_add_(0, assign, w);
    auto filled = mass > 0;  // an empty cluster keeps its old centroid
    c = torch::where(filled.unsqueeze(1), sums / mass.clamp_min(1e-12).unsqueeze(1), c);
  }
  auto d = squared_distances(x, c).gather(1, assign.unsqueeze(1)).squeeze(1);
  const double distortion = ((d * w).sum() / w.sum().clamp_min(1e-12)).item<double>();
  return {c, assign, distortion};
}

}  // namespace nicodec::quant
