// k-means with k-means++ seeding (Arthur & Vassilvitskii 2007), for codebook initialization and reduction.
#pragma once
#include <torch/torch.h>

namespace nicodec::quant {

struct KMeansResult {
  torch::Tensor centroids;  // [k, d]
  torch::Tensor assignment;  // [n] int64
  double distortion;        // mean squared distance to the nearest centroid
};

// Squared Euclidean distances [n, k] between rows of x [n, d] and c [k, d], by ||x||^2 - 2 x.c + ||c||^2.
torch::Tensor squared_distances(const torch::Tensor& x, const torch::Tensor& c);

// x: [n, d] float. weights: optional [n] (e.g. code usage counts). Deterministic for a given generator seed.
KMeansResult kmeans(const torch::Tensor& x, int64_t k, int iterations = 20, uint64_t seed = 0,
                    const torch::Tensor& weights = {});
// Seeding only: k rows of x picked by k-means++.
torch::Tensor kmeans_plus_plus(const torch::Tensor& x, int64_t k, uint64_t seed = 0, const torch::Tensor& weights = {});

}  // namespace nicodec::quant
