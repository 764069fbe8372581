#include "quant/latent/vq.h"

#include "core/error.h"
#include "quant/latent/kmeans.h"

namespace nicodec::quant {

VectorQuantizerImpl::VectorQuantizerImpl(VQOptions opt) : opt_(opt), revive_seed_(opt.seed + 1) {
  if (opt_.codebook_size < 1 || opt_.codebook_size > (1 << 16) || opt_.dim < 1)
    throw UsageError("VectorQuantizer: codebook size must be 1..65536 and dim >= 1");
  cdim_ = (opt_.code_dim > 0 && opt_.code_dim < opt_.dim) ? opt_.code_dim : opt_.dim;
  if (cdim_ != opt_.dim) {
    in_proj_ = register_module("in_proj", torch::nn::Linear(opt_.dim, cdim_));
    out_proj_ = register_module("out_proj", torch::nn::Linear(cdim_, opt_.dim));
  }
  auto gen = at::detail::createCPUGenerator(opt_.seed);
  auto init = torch::randn({opt_.codebook_size, cdim_}, gen, torch::kFloat);
  if (opt_.ema) {
    embed_ = register_buffer("embed", init);
    embed_sum_ = register_buffer("embed_sum", init.clone());
  } else {
    embed_ = register_parameter("embed", init);
    embed_sum_ = register_buffer("embed_sum", torch::zeros_like(init));
  }
  cluster_size_ = register_buffer("cluster_size", torch::ones({opt_.codebook_size}));
  initialized_ = register_buffer("initialized", torch::zeros({1}));
}

torch::Tensor VectorQuantizerImpl::project_in(const torch::Tensor& x) {
  auto z = in_proj_ ? in_proj_->forward(x) : x;
  return opt_.l2_normalize ? torch::nn::functional::normalize(z, torch::nn::functional::NormalizeFuncOptions().dim(1)) : z;
}

torch::Tensor VectorQuantizerImpl::project_out(const torch::Tensor& z) { return out_proj_ ? out_proj_->forward(z) : z; }

torch::Tensor VectorQuantizerImpl::codebook() const {
  return opt_.l2_normalize ? torch::nn::functional::normalize(embed_, torch::nn::functional::NormalizeFuncOptions().dim(1)) : embed_;
}

void VectorQuantizerImpl::init_from(const torch::Tensor& x) {
  torch::NoGradGuard ng;
  auto z = project_in(x).detach();
  auto km = kmeans(z, std::min<int64_t>(opt_.codebook_size, z.size(0)), opt_.kmeans_iterations, opt_.seed);
  auto c = km.centroids;
  if (c.size(0) < opt_.codebook_size) {  // fewer vectors than codes: the rest start on random vectors
    auto gen = at::detail::createCPUGenerator(opt_.seed + 7);
    auto extra = z.index({torch::randint(z.size(0), {opt_.codebook_size - c.size(0)}, gen, torch::kLong).to(z.device())});
    c = torch::cat({c, extra});
  }
  embed_.copy_(c);
  auto counts = torch::zeros({opt_.codebook_size}, z.options()).index_add_(0, km.assignment, torch::ones({z.size(0)}, z.options()));
  cluster_size_.copy_(counts);
  embed_sum_.copy_(c * counts.unsqueeze(1));
  initialized_.fill_(1);
}

void VectorQuantizerImpl::ema_update(const torch::Tensor& z, const torch::Tensor& idx) {
  torch::NoGradGuard ng;
  const double d = opt_.decay;
  auto counts = torch::zeros({opt_.codebook_size}, z.options()).index_add_(0, idx, torch::ones({z.size(0)}, z.options()));
  cluster_size_.mul_(d).add_(counts, 1 - d);
  if (!opt_.ema) return;
  auto sums = torch::zeros_like(embed_).index_add_(0, idx, z.detach());
  embed_sum_.mul_(d).add_(sums, 1 - d);
  // Laplace smoothing keeps rarely used codes from dividing by zero.
  auto n = cluster_size_.sum();
  auto smoothed = (cluster_size_ + opt_.epsilon) / (n + static_cast<double>(opt_.codebook_size) * opt_.epsilon) * n;
  embed_.copy_(embed_sum_ / smoothed.unsqueeze(1));
}

torch::Tensor VectorQuantizerImpl::encode(const torch::Tensor& x) {
  torch::NoGradGuard ng;
  return squared_distances(project_in(x), codebook()).argmin(1);
}

torch::Tensor VectorQuantizerImpl::decode(const torch::Tensor& indices) {
  return project_out(codebook().index({indices.to(torch::kLong)}));
}

VQOutput VectorQuantizerImpl::forward(const torch::Tensor& x) {
  if (x.dim() != 2 || x.size(1) != opt_.dim) throw UsageError("VectorQuantizer: input must be [N, dim]");
  if (is_training() && opt_.kmeans_init && initialized_.item<float>() == 0) init_from(x);
  auto z = project_in(x);
  auto cb = codebook();
  auto idx = squared_distances(z.detach(), cb.detach()).argmin(1);
  auto q = cb.index({idx});
  auto loss = opt_.commitment * torch::mse_loss(z, q.detach());
  if (!opt_.ema) loss = loss + torch::mse_loss(q, z.detach());
  if (is_training()) ema_update(z, idx);
  auto q_ste = z + (q - z).detach();
  return {project_out(q_ste), idx, loss};
}

int64_t VectorQuantizerImpl::revive_dead_codes(const torch::Tensor& x) {
  torch::NoGradGuard ng;
  auto dead = (cluster_size_ < opt_.dead_threshold).nonzero().squeeze(1);
  const int64_t n = dead.numel();
  if (n == 0) return 0;
  auto z = project_in(x).detach();
  auto gen = at::detail::createCPUGenerator(revive_seed_++);
  auto pick = torch::randint(z.size(0), {n}, gen, torch::kLong).to(z.device());
  auto fresh = z.index({pick});
  embed_.index_put_({dead}, fresh);
  cluster_size_.index_put_({dead}, torch::full({n}, opt_.dead_threshold * 2, z.options()));
  embed_sum_.index_put_({dead}, fresh * (opt_.dead_threshold * 2));
  return n;
}

VQStats VectorQuantizerImpl::stats() const {
  auto u = cluster_size_.clamp_min(0);
  auto p = u / u.sum().clamp_min(1e-12);
  const double entropy = -(p * torch::log(p.clamp_min(1e-12))).sum().item<double>();
  return {(u >= opt_.dead_threshold).to(torch::kFloat).mean().item<double>(), std::exp(entropy)};
}

CodebookReduction reduce_codebook(const torch::Tensor& codebook, const torch::Tensor& usage, int64_t k, uint64_t seed) {
  if (k < 1 || k > codebook.size(0)) throw UsageError("reduce_codebook: k must be 1..codebook size");
  auto km = kmeans(codebook.detach(), k, 25, seed, usage);
  return {km.centroids, km.assignment};
}

}  // namespace nicodec::quant
