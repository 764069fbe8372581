// Integer-exact convolutions: the fast path equals the int64 reference bit for bit, does not depend on the
// thread count, matches a golden CRC in every build, and approximates the float layer it came from.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <ATen/Parallel.h>

#include "core/crc32.h"
#include "tests/lcg.h"
#include "core/error.h"
#include "quant/layers/integer_conv.h"

namespace nicodec::quant {
namespace {

using testing::Lcg;

IntegerConvParams random_params(Lcg& g, int64_t in, int64_t out, int64_t k, bool transposed, int64_t stride) {
  IntegerConvParams p;
  p.transposed = transposed;
  p.stride = stride;
  p.padding = k / 2;
  p.output_padding = transposed ? stride - 1 : 0;
  p.weight = transposed ? g.tensor({in, out, k, k}, -127, 127) : g.tensor({out, in, k, k}, -127, 127);
  p.bias = g.tensor({out}, -100000, 100000);
  p.multiplier = g.tensor({out}, 32768, 65535);
  p.shift = g.tensor({out}, 20, 30);
  return p;
}

TEST(IntegerConv, FastPathEqualsTheInt64Reference) {
  Lcg g{1};
  for (bool transposed : {false, true})
    for (int64_t k : {1, 3, 5})
      for (int64_t stride : {1, 2}) {
        IntegerConvParams p = random_params(g, 6, 5, k, transposed, stride);
        if (k == 1 && transposed) p.padding = 0;
        IntegerConv2d conv(p);
        auto x = g.tensor({2, 6, 7, 9}, -32767, 32767);
        auto fast = conv.forward(x);
        auto ref = integer_conv_reference(p, x);
        ASSERT_EQ(fast.sizes(), ref.sizes()) << "k=" << k << " s=" << stride << " t=" << transposed;
        EXPECT_TRUE(torch::equal(fast, ref)) << "k=" << k << " s=" << stride << " t=" << transposed;
      }
}

constexpr uint32_t kGoldenCrc = 1694635057u;

// CRC of the outputs of a 192-channel layer (the size of a hyperprior's) on fixed inputs, run on `device`.
uint32_t output_crc(torch::Device device = torch::kCPU) {
  Lcg g{7};
  IntegerConvParams a = random_params(g, 192, 192, 5, true, 2);
  a.out_min = 0;  // ReLU
  IntegerConvParams b = random_params(g, 192, 64, 3, false, 1);
  auto x = g.tensor({1, 192, 8, 12}, -3000, 3000).to(device);
  auto y = IntegerConv2d(b).forward(IntegerConv2d(a).forward(x)).cpu().contiguous();
  return crc32(y.data_ptr<int32_t>(), static_cast<size_t>(y.numel()) * 4);
}

TEST(IntegerConv, SameOutputsWithOneAndTwoThreadsAndInEveryBuild) {
  const int before = at::get_num_threads();
  at::set_num_threads(1);
  const uint32_t one = output_crc();
  at::set_num_threads(2);
  const uint32_t two = output_crc();
  at::set_num_threads(before);
  EXPECT_EQ(one, two);
  // The value every build (Release, ASan/UBSan, libtorch 1.13 or 2.x, CPU or CUDA) must produce. It was
  // recorded when this test was written; a change means the integer path is no longer machine-independent.
  EXPECT_EQ(one, kGoldenCrc);
}

// The CPU-vs-GPU check: wherever the suite runs with a CUDA libtorch and a GPU, the GPU must give the
// CPU's golden CRC (skipped, and reported as skipped, elsewhere).
TEST(IntegerConv, CudaGivesTheCpuGoldenCrc) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA GPU visible to this libtorch";
  EXPECT_EQ(output_crc(torch::kCUDA), kGoldenCrc);
}

TEST(IntegerConv, ApproximatesTheFloatLayerItWasBuiltFrom) {
  torch::manual_seed(2);
  auto w = torch::randn({32, 16, 3, 3}) * 0.1;
  auto b = torch::randn({32}) * 0.1;
  auto x = torch::randn({1, 16, 10, 10}).relu();
  const double in_scale = 1.0 / 256, out_scale = 1.0 / 64;
  IntegerConv2d conv = IntegerConv2d::from_float(w, b, in_scale, out_scale, false, 1, 1, 0, true);
  auto xq = torch::round(x / in_scale);
  auto y = conv.forward(xq).to(torch::kFloat) * out_scale;
  auto ref = torch::conv2d(x, w, b, 1, 1).relu();
  const double rel = ((y - ref).norm() / ref.norm()).item<double>();
  EXPECT_LT(rel, 0.02);
  IntegerConv2d up = IntegerConv2d::from_float(torch::randn({16, 8, 5, 5}) * 0.1, torch::zeros({8}), in_scale, out_scale, true, 2, 2, 1);
  EXPECT_EQ(up.forward(xq).sizes(), (std::vector<int64_t>{1, 8, 20, 20}));
}

TEST(IntegerConv, SixteenBitWeightsStayExactAndAreMorePrecise) {
  Lcg g{11};
  for (bool transposed : {false, true}) {
    IntegerConvParams p = random_params(g, 96, 7, 5, transposed, 2);
    p.weight = g.tensor(p.weight.sizes().vec(), -32767, 32767);
    p.shift = g.tensor({7}, 34, 40);
    auto x = g.tensor({1, 96, 5, 6}, -32767, 32767);
    EXPECT_TRUE(torch::equal(IntegerConv2d(p).forward(x), integer_conv_reference(p, x))) << transposed;
  }
  // From float: 16-bit weights follow the float layer about 256x more closely than 8-bit ones.
  torch::manual_seed(2);
  auto w = torch::randn({12, 64, 3, 3}) * 0.05;
  auto b = torch::randn({12}) * 0.1;
  auto x = torch::round(torch::randn({1, 64, 9, 9}) * 3000);
  const double in_scale = 1e-3, out_scale = 1e-3;  // outputs within +-32767: no saturation
  auto ref = torch::conv2d(x.to(torch::kDouble) * in_scale, w.to(torch::kDouble), b.to(torch::kDouble), 1, 1) / out_scale;
  ASSERT_LT(ref.abs().max().item<double>(), 32000);
  auto err = [&](int bits) {
    auto l = IntegerConv2d::from_float(w, b, in_scale, out_scale, false, 1, 1, 0, false, bits);
    return (l.forward(x).to(torch::kDouble) - ref).abs().mean().item<double>();
  };
  EXPECT_LT(err(16), err(8) / 50);
  EXPECT_THROW(IntegerConv2d::from_float(w, b, in_scale, out_scale, false, 1, 1, 0, false, 12), UsageError);
}

TEST(IntegerConv, RejectsWhatWouldBreakExactness) {
  Lcg g{3};
  IntegerConvParams p = random_params(g, 4, 4, 3, false, 1);
  p.weight[0][0][0][0] = 40000;  // beyond int16
  EXPECT_THROW(IntegerConv2d{p}, UsageError);
  IntegerConvParams big = random_params(g, 8192, 1, 3, false, 1);
  big.weight.fill_(32767);  // 32767 * 2^15 * 8192 * 9 products > 2^46: partial sums could lose exactness
  EXPECT_THROW(IntegerConv2d{big}, UsageError);
  int64_t M, s;
  fixed_point_multiplier(0.3, &M, &s);
  EXPECT_NEAR(double(M) / double(int64_t{1} << s), 0.3, 0.3 / 32768);
  EXPECT_GE(M, 32768);
  EXPECT_LT(M, 65536);
  EXPECT_THROW(fixed_point_multiplier(-1, &M, &s), UsageError);
}

}  // namespace
}  // namespace nicodec::quant
