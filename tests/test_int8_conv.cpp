// Int8 convolutions (oneDNN / FBGEMM / QNNPACK through libtorch): the fast path stays within one output step of
// the float64 reference of the same quantized arithmetic, and close to the float convolution.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "quant/layers/int8_conv.h"
#include "quant/layers/int8_sequential.h"

namespace nicodec::quant {
namespace {

TEST(Int8Conv, FastPathMatchesReferenceWithinOneStep) {
  ASSERT_TRUE(Int8Conv2d::available()) << "this libtorch has no quantized CPU convolution";
  torch::manual_seed(3);
  for (int64_t k : {1, 3, 5})
    for (int64_t stride : {1, 2}) {
      auto w = torch::randn({24, 16, k, k}) * 0.1;
      auto b = torch::randn({24}) * 0.2;
      auto x = torch::randn({1, 16, 19, 23});
      auto y = torch::conv2d(x, w, b, stride, k / 2);
      const double in_scale = x.abs().max().item<double>() / 127.0, out_scale = y.abs().max().item<double>() / 127.0;
      Int8Conv2d conv(w, b, stride, k / 2, in_scale, out_scale);
      auto fast = conv.forward(x).to(torch::kDouble);
      auto ref = conv.forward_reference(x);
      ASSERT_EQ(fast.sizes(), ref.sizes());
      const double max_diff = (fast - ref).abs().max().item<double>();
      const double exact = (fast - ref).abs().lt(out_scale * 0.5).to(torch::kDouble).mean().item<double>();
      EXPECT_LE(max_diff, out_scale * 1.001) << "k=" << k << " s=" << stride;
      EXPECT_GT(exact, 0.98) << "k=" << k << " s=" << stride;
      // Signal-to-quantization-noise against the float layer: 8-bit activations and weights give ~30 dB+.
      const double sqnr = 10 * std::log10(y.pow(2).mean().item<double>() /
                                          (fast.to(torch::kFloat) - y).pow(2).mean().item<double>());
      EXPECT_GT(sqnr, 28.0) << "k=" << k << " s=" << stride;
    }
}

TEST(Int8Conv, SaturatesOutsideTheCalibratedRange) {
  auto w = torch::ones({1, 1, 1, 1});
  auto b = torch::zeros({1});
  Int8Conv2d conv(w, b, 1, 0, 1.0 / 64, 1.0 / 64);  // in and out ranges +-2
  auto x = torch::tensor({-5.0f, -1.0f, 0.5f, 5.0f}).view({1, 1, 1, 4});
  auto ref = conv.forward_reference(x);
  EXPECT_NEAR(ref[0][0][0][0].item<double>(), -2.0, 1e-9);
  EXPECT_NEAR(ref[0][0][0][1].item<double>(), -1.0, 1e-9);
  EXPECT_NEAR(ref[0][0][0][3].item<double>(), 127.0 / 64, 1e-9);
  EXPECT_TRUE(torch::allclose(conv.forward(x).to(torch::kDouble), ref, 0, 1.0 / 64 + 1e-9));
}

}  // namespace
}  // namespace nicodec::quant

namespace nicodec::quant {
namespace {

TEST(Int8Sequential, SwapsInCalibratedLayersAndSurvivesTheModelFile) {
  torch::manual_seed(5);
  namespace nn = torch::nn;
  nn::Sequential seq(nn::Conv2d(nn::Conv2dOptions(8, 16, 3).padding(1)), nn::ReLU(),
                     nn::Conv2d(nn::Conv2dOptions(16, 16, 3).padding(1)), nn::PixelShuffle(2),
                     nn::Conv2d(nn::Conv2dOptions(4, 3, 3).padding(1)));
  EXPECT_EQ(Int8Sequential::int8_layers(seq), (std::vector<size_t>{0, 2}));
  EXPECT_EQ(Int8Sequential::int8_layers(seq, false), (std::vector<size_t>{0, 2, 4}));
  auto x = torch::randn({2, 8, 12, 10});
  torch::NoGradGuard ng;
  auto ref = seq->forward(x);
  const auto ranges = Int8Sequential::calibrate(seq, x);
  ASSERT_EQ(ranges.size(), 2u);
  ModelFile f;
  Int8Sequential::save(f, "g", ranges);
  const auto q = Int8Sequential::load(f, "g", seq);
  ASSERT_FALSE(q.empty());
  auto out = q.forward(seq, x);
  ASSERT_EQ(out.sizes(), ref.sizes());
  const double sqnr = 10 * std::log10(ref.pow(2).mean().item<double>() / (out - ref).pow(2).mean().item<double>());
  EXPECT_GT(sqnr, 25.0);
  EXPECT_TRUE(torch::equal(out, Int8Sequential::from_ranges(seq, ranges).forward(seq, x)));
  EXPECT_TRUE(Int8Sequential::load(ModelFile(), "g", seq).empty());  // no ranges saved: stays float
}

}  // namespace
}  // namespace nicodec::quant
