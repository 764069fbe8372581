// Vector quantization of latents (VQ-VAE, van den Oord et al. 2017; VQGAN; SoundStream's training recipe):
// nearest-code search, k-means++/k-means initialization from the first training batch, EMA codebook updates
// (or a learned codebook with codebook + commitment losses), dead-code replacement, optional factorized
// low-dimensional and l2-normalized lookup (Yu et al. 2022, "ViT-VQGAN"), usage statistics, and reduction of a
// large codebook to a smaller one by k-means (several rates from one model).
#pragma once
#include <torch/torch.h>

namespace nicodec::quant {

struct VQOptions {
  int64_t codebook_size = 1024;
  int64_t dim = 64;            // input/output vector size
  int64_t code_dim = 0;        // > 0 and < dim: look up in a projected space of this size (factorized codes)
  bool l2_normalize = false;   // compare unit vectors (cosine similarity)
  bool ema = true;             // EMA updates; false: learned codebook, use codebook_loss
  double decay = 0.99, epsilon = 1e-5;
  double commitment = 0.25;    // weight of ||z - sg(q)||^2 in `loss`
  double dead_threshold = 0.5; // EMA usage (vectors per batch) below which a code counts as dead
  bool kmeans_init = true;     // initialize from the first training batch
  int kmeans_iterations = 10;
  uint64_t seed = 0;
};

struct VQOutput {
  torch::Tensor quantized;  // [N, dim], straight-through w.r.t. the input
  torch::Tensor indices;    // [N] int64
  torch::Tensor loss;       // commitment (+ codebook term when not EMA), already weighted
};

struct VQStats {
  double utilization;  // fraction of codes with usage above the dead threshold
  double perplexity;   // exp of the entropy of the usage distribution
};

class VectorQuantizerImpl : public torch::nn::Module {
 public:
  explicit VectorQuantizerImpl(VQOptions opt);
  VQOutput forward(const torch::Tensor& x);  // x: [N, dim]
  torch::Tensor encode(const torch::Tensor& x);        // [N] indices
  torch::Tensor decode(const torch::Tensor& indices);  // [N, dim]
  // Replaces dead codes with random vectors of this batch (projected); returns how many were replaced.
  int64_t revive_dead_codes(const torch::Tensor& x);
  void init_from(const torch::Tensor& x);  // k-means on a batch
  VQStats stats() const;
  torch::Tensor codebook() const;  // [K, code_dim], normalized if l2_normalize
  const VQOptions& options() const { return opt_; }

 private:
  torch::Tensor project_in(const torch::Tensor& x);
  torch::Tensor project_out(const torch::Tensor& z);
  void ema_update(const torch::Tensor& z, const torch::Tensor& idx);

  VQOptions opt_;
  int64_t cdim_;
  torch::nn::Linear in_proj_{nullptr}, out_proj_{nullptr};
  torch::Tensor embed_, cluster_size_, embed_sum_, initialized_;
  uint64_t revive_seed_;
};
TORCH_MODULE(VectorQuantizer);

// Reduces a codebook [K, d] with usage counts [K] to k codes by weighted k-means. mapping[i] is the new code
// that old code i becomes, so an encoder can keep its search and remap indices.
struct CodebookReduction {
  torch::Tensor codebook;  // [k, d]
  torch::Tensor mapping;   // [K] int64
};
CodebookReduction reduce_codebook(const torch::Tensor& codebook, const torch::Tensor& usage, int64_t k, uint64_t seed = 0);

}  // namespace nicodec::quant
