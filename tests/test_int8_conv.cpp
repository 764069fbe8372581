// Int8 convolutions (oneDNN / FBGEMM / QNNPACK through libtorch): the fast path stays within one output step of
// the float64 reference of the same quantized arithmetic, and close to the float convolution.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "quant/layers/int8_conv.h"

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
