// Int8 layers (oneDNN / FBGEMM / QNNPACK through libtorch): for Linear, Conv1d, Conv2d and ConvTranspose2d the
// fast path stays within one output step of the float64 reference of the same quantized arithmetic and close to
// the float layer; Int8Sequential swaps them into a trained network.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "quant/layers/int8_conv.h"
#include "quant/layers/int8_sequential.h"

namespace nicodec::quant {
namespace {

// Fast path vs reference vs float, for one layer and input.
void check(const char* what, const Int8Layer& q, const torch::Tensor& x, const torch::Tensor& y_float) {
  auto fast = q.forward(x).to(torch::kDouble);
  auto ref = q.forward_reference(x);
  ASSERT_EQ(fast.sizes(), ref.sizes()) << what;
  const double step = q.out_scale();
  EXPECT_LE((fast - ref).abs().max().item<double>(), step * 1.001) << what;
  EXPECT_GT((fast - ref).abs().lt(step * 0.5).to(torch::kDouble).mean().item<double>(), 0.98) << what;
  // Against the float layer: 8-bit weights and activations give ~30 dB.
  const double sqnr = 10 * std::log10(y_float.pow(2).mean().item<double>() /
                                      (fast.to(torch::kFloat) - y_float).pow(2).mean().item<double>());
  EXPECT_GT(sqnr, 28.0) << what;
}

double step_of(const torch::Tensor& t) { return t.abs().max().item<double>() / 127.0; }

TEST(Int8Layer, EveryOpMatchesItsReferenceWithinOneStep) {
  ASSERT_TRUE(Int8Layer::available()) << "this libtorch has no quantized CPU kernels";
  torch::manual_seed(3);
  torch::NoGradGuard ng;
  {
    auto w = torch::randn({24, 40}) * 0.1, b = torch::randn({24}) * 0.2, x = torch::randn({7, 40});
    auto y = torch::nn::functional::linear(x, w, b);
    check("linear", Int8Layer::linear(w, b, step_of(x), step_of(y)), x, y);
  }
  for (int64_t k : {1, 3, 5})
    for (int64_t stride : {1, 2}) {
      const std::string tag = " k=" + std::to_string(k) + " s=" + std::to_string(stride);
      auto b = torch::randn({24}) * 0.2;
      auto w1 = torch::randn({24, 16, k}) * 0.1, x1 = torch::randn({2, 16, 37});
      auto y1 = torch::conv1d(x1, w1, b, stride, k / 2);
      check(("conv1d" + tag).c_str(), Int8Layer::conv1d(w1, b, stride, k / 2, step_of(x1), step_of(y1)), x1, y1);
      auto w2 = torch::randn({24, 16, k, k}) * 0.1, x2 = torch::randn({1, 16, 19, 23});
      auto y2 = torch::conv2d(x2, w2, b, stride, k / 2);
      check(("conv2d" + tag).c_str(), Int8Layer::conv2d(w2, b, stride, k / 2, step_of(x2), step_of(y2)), x2, y2);
      if (k == 1) continue;
      auto wt = torch::randn({16, 24, k, k}) * 0.1;
      auto yt = torch::conv_transpose2d(x2, wt, b, stride, k / 2, stride - 1);
      check(("conv_transpose2d" + tag).c_str(),
            Int8Layer::conv_transpose2d(wt, b, stride, k / 2, stride - 1, step_of(x2), step_of(yt)), x2, yt);
    }
}

TEST(Int8Layer, SaturatesOutsideTheCalibratedRange) {
  auto w = torch::ones({1, 1, 1, 1});
  auto b = torch::zeros({1});
  auto conv = Int8Layer::conv2d(w, b, 1, 0, 1.0 / 64, 1.0 / 64);  // in and out ranges +-2
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
                     nn::ConvTranspose2d(nn::ConvTranspose2dOptions(16, 16, 3).stride(2).padding(1).output_padding(1)),
                     nn::Conv2d(nn::Conv2dOptions(16, 16, 3).padding(1)), nn::PixelShuffle(2),
                     nn::Conv2d(nn::Conv2dOptions(4, 3, 3).padding(1)));
  EXPECT_EQ(Int8Sequential::int8_layers(seq), (std::vector<size_t>{0, 2, 3}));
  EXPECT_EQ(Int8Sequential::int8_layers(seq, false), (std::vector<size_t>{0, 2, 3, 5}));
  auto x = torch::randn({2, 8, 12, 10});
  torch::NoGradGuard ng;
  auto ref = seq->forward(x);
  const auto ranges = Int8Sequential::calibrate(seq, x);
  ASSERT_EQ(ranges.size(), 3u);
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
  const auto per_layer = q.layer_sqnr_db(seq, x);
  ASSERT_EQ(per_layer.size(), 3u);
  for (const auto& [i, db] : per_layer) {
    EXPECT_GT(db, 25.0) << i;
    EXPECT_LT(db, 60.0) << i;  // 8-bit: real error, not a float copy
  }
}

}  // namespace
}  // namespace nicodec::quant
