// Latent quantizers: index round trips, gradients, k-means vs random init, dead-code revival, RVQ per stage.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <set>

#include "quant/latent/binary.h"
#include "quant/latent/fsq.h"
#include "quant/latent/kmeans.h"
#include "quant/latent/rvq.h"
#include "quant/latent/uniform.h"
#include "quant/latent/vq.h"

namespace nicodec::quant {
namespace {

// n points around `clusters` well-separated centres in d dimensions.
torch::Tensor clustered(int64_t n, int64_t d, int64_t clusters, uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  auto centres = torch::randn({clusters, d}, gen) * 5;
  auto which = torch::randint(clusters, {n}, gen, torch::kLong);
  return centres.index({which}) + 0.1 * torch::randn({n, d}, gen);
}

double mse(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).pow(2).mean().item<double>(); }

TEST(Uniform, SurrogatesAndExactRounding) {
  torch::manual_seed(0);
  auto y = torch::randn({10000}) * 3;
  auto mu = torch::randn({10000});
  auto noisy = quantize_uniform(y, mu, UniformSurrogate::kNoise, true).for_rate;
  auto d = noisy - y;
  EXPECT_LE(d.abs().max().item<float>(), 0.5f);
  EXPECT_NEAR(d.var().item<double>(), 1.0 / 12, 0.005);  // U(-1/2, 1/2) has variance 1/12
  auto eval = quantize_uniform(y, mu, UniformSurrogate::kMixed, false);
  EXPECT_TRUE(torch::equal(eval.for_decoder, torch::round(y - mu) + mu));
  auto sym = uniform_symbols(y, mu);
  EXPECT_EQ(sym.scalar_type(), torch::kInt32);
  EXPECT_TRUE(torch::allclose(uniform_dequantize(sym, mu), eval.for_decoder));
  auto yg = y.clone().requires_grad_(true);
  quantize_uniform(yg, mu, UniformSurrogate::kSte, true).for_decoder.sum().backward();
  EXPECT_TRUE(torch::equal(yg.grad(), torch::ones_like(y)));  // straight-through
  auto mixed = quantize_uniform(y, mu, UniformSurrogate::kMixed, true);
  EXPECT_FALSE(torch::equal(mixed.for_rate, mixed.for_decoder));
}

TEST(FSQ, EveryIndexRoundTripsAndCodesLieOnTheGrid) {
  for (auto levels : {std::vector<int64_t>{8, 5, 5, 5}, std::vector<int64_t>{7, 5, 5, 5, 5}, std::vector<int64_t>{2, 3, 4}}) {
    FSQ fsq(levels);
    int64_t size = 1;
    for (auto l : levels) size *= l;
    ASSERT_EQ(fsq.codebook_size(), size);
    auto all = torch::arange(size, torch::kLong);
    auto codes = fsq.indices_to_codes(all);
    EXPECT_TRUE(torch::equal(fsq.codes_to_indices(codes), all));
    EXPECT_LE(codes.abs().max().item<float>(), 1.0f);
    // quantize() of arbitrary inputs gives codes whose indices are valid and which map back to themselves.
    auto z = torch::randn({4096, static_cast<int64_t>(levels.size())}) * 3;
    auto q = fsq.quantize(z);
    auto idx = fsq.codes_to_indices(q);
    EXPECT_GE(idx.min().item<int64_t>(), 0);
    EXPECT_LT(idx.max().item<int64_t>(), size);
    EXPECT_TRUE(torch::allclose(fsq.indices_to_codes(idx), q, 1e-6, 1e-6));
    // Every level of every channel is reachable.
    for (size_t c = 0; c < levels.size(); ++c)
      EXPECT_EQ(std::get<0>(at::_unique(q.select(1, static_cast<int64_t>(c)))).numel(), levels[c]);
  }
  auto z = torch::randn({16, 3}, torch::requires_grad());
  FSQ({5, 5, 5}).quantize(z).sum().backward();
  EXPECT_GT(z.grad().abs().sum().item<float>(), 0.0f);
}

TEST(Binary, BitsProbabilitiesAndGradients) {
  auto logits = torch::randn({1000}, torch::requires_grad());
  auto out = quantize_binary(logits, true);
  auto vals = std::get<0>(at::_unique(out.bits.detach()));
  EXPECT_LE(vals.numel(), 2);
  EXPECT_TRUE(((out.bits == 0) | (out.bits == 1)).all().item<bool>());
  out.bits.sum().backward();
  EXPECT_GT(logits.grad().abs().sum().item<float>(), 0.0f);
  auto eval = quantize_binary(logits.detach(), false);
  EXPECT_TRUE(torch::equal(eval.bits, (logits.detach() >= 0).to(torch::kFloat)));
  auto p = torch::full({4}, 0.25);
  auto b = torch::tensor({1.0f, 0.0f, 0.0f, 0.0f});
  EXPECT_NEAR(binary_bits(b, p).item<double>(), -std::log2(0.25) - 3 * std::log2(0.75), 1e-5);
}

TEST(KMeans, PlusPlusSeedingBeatsRandomSeedsOnClusteredData) {
  auto x = clustered(4000, 8, 16, 1);
  auto km = kmeans(x, 16, 10, 3);
  auto gen = at::detail::createCPUGenerator(5);
  auto random_c = x.index({torch::randint(4000, {16}, gen, torch::kLong)});
  double random_d = std::get<0>(squared_distances(x, random_c).min(1)).mean().item<double>();
  EXPECT_LT(km.distortion, random_d);
  EXPECT_LT(km.distortion, 0.2);  // 8 dims of 0.1^2 noise: 0.08 when every cluster is found
}

VQOptions vq_options(bool kmeans_init) {
  VQOptions o;
  o.codebook_size = 64;
  o.dim = 8;
  o.kmeans_init = kmeans_init;
  o.seed = 11;
  return o;
}

TEST(VQ, KMeansInitBeatsRandomInitInDistortionAndUtilization) {
  auto x = clustered(4096, 8, 64, 2);
  VectorQuantizer a(vq_options(true)), b(vq_options(false));
  a->train();
  b->train();
  auto qa = a->forward(x).quantized, qb = b->forward(x).quantized;
  EXPECT_LT(mse(qa, x) * 3, mse(qb, x));
  auto used = [](const torch::Tensor& idx) { return std::get<0>(at::_unique(idx)).numel(); };
  a->eval();
  b->eval();
  EXPECT_GT(used(a->encode(x)), used(b->encode(x)) + 10);
  EXPECT_GT(a->stats().perplexity, b->stats().perplexity);
}

TEST(VQ, EmaTrainingLowersDistortionAndDeadCodesGetRevived) {
  auto x = clustered(2048, 8, 32, 3);
  VQOptions o = vq_options(false);  // random init: many codes start far from the data
  o.decay = 0.9;  // an unused code's usage decays as decay^steps: below the 0.5 threshold after 7 steps here
  VectorQuantizer vq(o);
  vq->train();
  const double first = mse(vq->forward(x).quantized, x);
  for (int i = 0; i < 30; ++i) vq->forward(x);
  const double later = mse(vq->forward(x).quantized, x);
  EXPECT_LT(later, first);
  const double util_before = vq->stats().utilization;
  const int64_t revived = vq->revive_dead_codes(x);
  EXPECT_GT(revived, 0);
  for (int i = 0; i < 30; ++i) vq->forward(x);
  EXPECT_GT(vq->stats().utilization, util_before);
  EXPECT_LT(mse(vq->forward(x).quantized, x), later);
}

TEST(VQ, LearnedCodebookFactorizedAndNormalizedLookupsTrain) {
  VQOptions o = vq_options(true);
  o.ema = false;
  o.dim = 32;
  o.code_dim = 8;
  o.l2_normalize = true;
  VectorQuantizer vq(o);
  auto x = clustered(512, 32, 8, 4);
  vq->train();
  auto out = vq->forward(x);
  out.loss.backward();
  EXPECT_EQ(out.quantized.sizes(), x.sizes());
  EXPECT_TRUE(vq->named_parameters().contains("embed"));
  EXPECT_GT(vq->named_parameters()["embed"].grad().abs().sum().item<float>(), 0.0f);  // codebook loss reaches it
  EXPECT_NEAR(vq->codebook().norm(2, 1).mean().item<double>(), 1.0, 1e-5);
}

TEST(VQ, CodebookReductionKeepsMostOfTheQuality) {
  auto x = clustered(4096, 8, 16, 5);
  VectorQuantizer vq(vq_options(true));
  vq->train();
  vq->forward(x);
  vq->eval();
  auto red = reduce_codebook(vq->codebook(), vq->named_buffers()["cluster_size"], 16);
  ASSERT_EQ(red.codebook.size(0), 16);
  // Coding through the mapping: old index -> new code.
  auto idx = vq->encode(x);
  auto reduced = red.codebook.index({red.mapping.index({idx})});
  auto gen = at::detail::createCPUGenerator(9);
  auto random16 = x.index({torch::randint(4096, {16}, gen, torch::kLong)});
  const double random_d = std::get<0>(squared_distances(x, random16).min(1)).mean().item<double>();
  EXPECT_LT(mse(reduced, x), random_d);
  EXPECT_LT(mse(reduced, x), 0.2);  // 16 clusters, 16 codes: the reduction finds them
}

TEST(RVQ, ErrorFallsWithEveryStageAndDecodeMatchesForward) {
  RVQOptions o;
  o.num_quantizers = 6;
  o.vq.codebook_size = 32;
  o.vq.dim = 8;
  ResidualVQ rvq(o);
  torch::manual_seed(3);
  auto x = torch::randn({4096, 8});
  rvq->train();
  for (int i = 0; i < 5; ++i) rvq->forward(x, 6);  // k-means init of every stage, a few EMA steps
  rvq->eval();
  double prev = mse(torch::zeros_like(x), x);
  for (int64_t n = 1; n <= 6; ++n) {
    auto out = rvq->forward(x, n);
    const double e = mse(out.quantized, x);
    EXPECT_LT(e, prev * 0.9) << n << " stages";
    prev = e;
    auto idx = rvq->encode(x, n);
    EXPECT_TRUE(torch::equal(idx, out.indices));
    EXPECT_TRUE(torch::allclose(rvq->decode(idx), out.quantized, 1e-5, 1e-5));
  }
}

TEST(RVQ, QuantizerDropoutUsesEveryStageCount) {
  RVQOptions o;
  o.num_quantizers = 4;
  o.vq.codebook_size = 16;
  o.vq.dim = 4;
  ResidualVQ rvq(o);
  rvq->train();
  auto x = torch::randn({256, 4});
  std::set<int64_t> seen;
  for (int i = 0; i < 60; ++i) seen.insert(rvq->forward(x).stages);
  EXPECT_EQ(seen.size(), 4u);
  rvq->eval();
  EXPECT_EQ(rvq->forward(x).stages, 4);
}

}  // namespace
}  // namespace nicodec::quant
