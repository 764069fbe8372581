#include "quant/latent/rvq.h"

#include "core/error.h"

namespace nicodec::quant {

ResidualVQImpl::ResidualVQImpl(RVQOptions opt) : opt_(opt), gen_(at::detail::createCPUGenerator(opt.seed)) {
  if (opt_.num_quantizers < 1) throw UsageError("ResidualVQ: needs at least one stage");
  for (int64_t i = 0; i < opt_.num_quantizers; ++i) {
    VQOptions v = opt_.vq;
    v.seed = opt_.vq.seed + static_cast<uint64_t>(i) * 1000;
    layers_.push_back(register_module("vq" + std::to_string(i), VectorQuantizer(v)));
  }
}

RVQOutput ResidualVQImpl::forward(const torch::Tensor& x, int64_t stages) {
  if (stages < 0) {
    stages = opt_.num_quantizers;
    if (is_training()) {
      const double u = torch::rand({1}, gen_).item<double>();
      if (u < opt_.dropout_probability) stages = 1 + torch::randint(opt_.num_quantizers, {1}, gen_, torch::kLong).item<int64_t>();
    }
  }
  if (stages < 1 || stages > opt_.num_quantizers) throw UsageError("ResidualVQ: stage count out of range");
  auto residual = x;
  auto quantized = torch::zeros_like(x);
  auto loss = torch::zeros({}, x.options());
  std::vector<torch::Tensor> idx;
  for (int64_t i = 0; i < stages; ++i) {
    VQOutput o = layers_[static_cast<size_t>(i)]->forward(residual);
    quantized = quantized + o.quantized;
    residual = residual - o.quantized.detach();
    loss = loss + o.loss;
    idx.push_back(o.indices);
  }
  return {quantized, torch::stack(idx), loss, stages};
}

torch::Tensor ResidualVQImpl::encode(const torch::Tensor& x, int64_t stages) {
  torch::NoGradGuard ng;
  if (stages < 1 || stages > opt_.num_quantizers) throw UsageError("ResidualVQ: stage count out of range");
  auto residual = x;
  std::vector<torch::Tensor> idx;
  for (int64_t i = 0; i < stages; ++i) {
    auto id = layers_[static_cast<size_t>(i)]->encode(residual);
    residual = residual - layers_[static_cast<size_t>(i)]->decode(id);
    idx.push_back(id);
  }
  return torch::stack(idx);
}

torch::Tensor ResidualVQImpl::decode(const torch::Tensor& indices) {
  if (indices.size(0) < 1 || indices.size(0) > opt_.num_quantizers) throw UsageError("ResidualVQ: stage count out of range");
  auto out = layers_[0]->decode(indices[0]);
  for (int64_t i = 1; i < indices.size(0); ++i) out = out + layers_[static_cast<size_t>(i)]->decode(indices[i]);
  return out;
}

int64_t ResidualVQImpl::revive_dead_codes(const torch::Tensor& x) {
  torch::NoGradGuard ng;
  int64_t n = 0;
  auto residual = x;
  for (auto& l : layers_) {
    n += l->revive_dead_codes(residual);
    residual = residual - l->decode(l->encode(residual));
  }
  return n;
}

}  // namespace nicodec::quant
