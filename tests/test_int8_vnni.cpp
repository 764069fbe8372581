// The AVX-512 VNNI int8 kernels (quant/layers/int8_vnni.h) against their scalar reference (int32 sums, exact)
// and against libtorch's float64 convolution of the same integers, over a grid of channel counts, kernels and
// picture sizes that hits every tile width (1, 2, 3 registers), channel-block tails and input-group tails.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "quant/layers/int8_vnni.h"

namespace nicodec::quant {
namespace {

struct Case {
  int out, in, kh, kw, h, w;
};

std::vector<int8_t> random_weights(int64_t n) {
  auto t = torch::randint(-127, 128, {n}, torch::kInt8).contiguous();
  return std::vector<int8_t>(t.data_ptr<int8_t>(), t.data_ptr<int8_t>() + n);
}

TEST(Int8VnniConv, IntegerSumsEqualTheReferenceAndLibtorch) {
  if (!Int8VnniConv::cpu_supported()) GTEST_SKIP() << "this CPU has no AVX-512 VNNI";
  torch::manual_seed(11);
  const Case cases[] = {{1, 1, 1, 1, 1, 1},   {8, 4, 3, 3, 5, 16},   {9, 5, 3, 3, 7, 17},  {24, 16, 3, 3, 19, 48},
                        {17, 13, 5, 5, 6, 50}, {40, 96, 3, 3, 4, 97}, {3, 7, 1, 5, 1, 33},  {16, 8, 1, 1, 3, 100},
                        {12, 3, 3, 1, 9, 31},  {8, 2, 5, 3, 2, 2}};
  for (const auto& c : cases) {
    const std::string tag = std::to_string(c.out) + "x" + std::to_string(c.in) + " k" + std::to_string(c.kh) + "x" +
                            std::to_string(c.kw) + " " + std::to_string(c.h) + "x" + std::to_string(c.w);
    auto w = random_weights(int64_t{c.out} * c.in * c.kh * c.kw);
    std::vector<float> scale(static_cast<size_t>(c.out), 0.01f), bias(static_cast<size_t>(c.out), 0.0f);
    Int8VnniConv conv(w.data(), scale.data(), bias.data(), c.out, c.in, c.kh, c.kw, 0.1f, 0.1f);
    auto xq = torch::randint(0, 256, {c.in, c.h, c.w}, torch::kUInt8).contiguous();
    // Extremes too: all-255 and all-0 corners push the sums to their largest magnitude.
    xq.index_put_({0}, 255);
    std::vector<int32_t> fast(static_cast<size_t>(c.out) * c.h * c.w), ref(fast.size());
    conv.accumulate(xq.data_ptr<uint8_t>(), c.h, c.w, fast.data());
    conv.accumulate_reference(xq.data_ptr<uint8_t>(), c.h, c.w, ref.data());
    EXPECT_EQ(fast, ref) << tag;
    auto wt = torch::from_blob(w.data(), {c.out, c.in, c.kh, c.kw}, torch::kInt8).to(torch::kDouble);
    auto torch_sum = torch::conv2d((xq.to(torch::kDouble) - 128).unsqueeze(0), wt, {}, 1, {c.kh / 2, c.kw / 2});
    auto ours = torch::from_blob(ref.data(), {1, c.out, c.h, c.w}, torch::kInt32).to(torch::kDouble);
    EXPECT_TRUE(torch::equal(ours, torch_sum)) << tag;
  }
}

// Float in, float out: within one output step of the same arithmetic in float64, and nearly always equal.
void expect_within_a_step(const torch::Tensor& fast, const torch::Tensor& ref, double step, const std::string& tag) {
  auto d = (fast.to(torch::kDouble) - ref).abs();
  EXPECT_LE(d.max().item<double>(), step * 1.001) << tag;
  EXPECT_GT(d.lt(step * 0.5).to(torch::kDouble).mean().item<double>(), 0.99) << tag;
}

torch::Tensor requantize(const torch::Tensor& acc, const torch::Tensor& mul, const torch::Tensor& bias, double step) {
  auto y = acc * mul + bias;
  return (torch::round(y / step)).clamp(-128, 127) * step;
}

TEST(Int8VnniConv, FloatPathsMatchTheirArithmetic) {
  if (!Int8VnniConv::cpu_supported()) GTEST_SKIP() << "this CPU has no AVX-512 VNNI";
  torch::manual_seed(12);
  const int out = 21, in = 10, h = 9, w = 35;
  const float in_scale = 0.02f, out_scale = 0.05f;
  auto wq = torch::randint(-127, 128, {out, in, 3, 3}, torch::kInt8).contiguous();
  auto ws = (torch::rand({out}) * 0.01 + 0.001).contiguous(), b = (torch::randn({out}) * 0.3).contiguous();
  Int8VnniConv conv(wq.data_ptr<int8_t>(), ws.data_ptr<float>(), b.data_ptr<float>(), out, in, 3, 3, in_scale,
                    out_scale);
  auto x = (torch::randn({in, h, w}) * 1.2).contiguous();
  auto y = torch::empty({out, h, w});
  conv.forward_planes(x.data_ptr<float>(), h, w, y.data_ptr<float>());
  auto xq = (torch::round(x.to(torch::kDouble) / in_scale)).clamp(-128, 127);
  auto acc = torch::conv2d(xq.unsqueeze(0), wq.to(torch::kDouble), {}, 1, 1).squeeze(0);
  auto mul = (ws.to(torch::kDouble) * static_cast<double>(in_scale)).view({out, 1, 1});
  expect_within_a_step(y, requantize(acc, mul, b.to(torch::kDouble).view({out, 1, 1}), out_scale), out_scale, "conv");

  // Linear: [rows][in] -> [rows][out], rows past a tile and an odd input width.
  const int rows = 1001, lin_in = 37;
  auto lw = torch::randint(-127, 128, {out, lin_in}, torch::kInt8).contiguous();
  Int8VnniConv linear(lw.data_ptr<int8_t>(), ws.data_ptr<float>(), b.data_ptr<float>(), out, lin_in, 1, 1, in_scale,
                      out_scale);
  auto lx = (torch::randn({rows, lin_in}) * 1.2).contiguous();
  auto ly = torch::empty({rows, out});
  linear.forward_rows(lx.data_ptr<float>(), rows, ly.data_ptr<float>());
  auto lxq = (torch::round(lx.to(torch::kDouble) / in_scale)).clamp(-128, 127);
  auto lacc = torch::matmul(lxq, lw.to(torch::kDouble).t());
  expect_within_a_step(ly, requantize(lacc, ws.to(torch::kDouble) * static_cast<double>(in_scale), b.to(torch::kDouble),
                                      out_scale),
                       out_scale, "linear");

  // Thread counts: the same bytes with one and two threads (tiles are independent).
  const int threads = at::get_num_threads();
  for (int t : {1, 2}) {
    at::set_num_threads(t);
    auto y2 = torch::empty_like(y), ly2 = torch::empty_like(ly);
    conv.forward_planes(x.data_ptr<float>(), h, w, y2.data_ptr<float>());
    linear.forward_rows(lx.data_ptr<float>(), rows, ly2.data_ptr<float>());
    EXPECT_TRUE(torch::equal(y, y2)) << t << " threads";
    EXPECT_TRUE(torch::equal(ly, ly2)) << t << " threads";
  }
  at::set_num_threads(threads);
}

TEST(Int8VnniConv, RejectsWhatItCannotRun) {
  int8_t w[4] = {1, 2, 3, 4};
  float s[2] = {1, 1};
  EXPECT_ANY_THROW(Int8VnniConv(w, s, nullptr, 1, 1, 2, 2, 1.0f, 1.0f));  // even kernel
  EXPECT_ANY_THROW(Int8VnniConv(w, s, nullptr, 1, 1, 1, 1, 0.0f, 1.0f));  // zero scale
  int8_t bad = -128;
  EXPECT_ANY_THROW(Int8VnniConv(&bad, s, nullptr, 1, 1, 1, 1, 1.0f, 1.0f));  // outside [-127, 127]
}

}  // namespace
}  // namespace nicodec::quant
