// The nicodec image codec: the integer-exact entropy-parameter path (fast = int64 reference, thread-count
// independent, golden CRC across builds), exact rate control, odd and large sizes, and hostile files.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <ATen/Parallel.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "codecs/common/gdn.h"
#include "codecs/common/image_crops.h"
#include "codecs/common/likelihoods.h"
#include "codecs/image/codec.h"
#include "codecs/image/context_model.h"
#include "codecs/image/resampling.h"
#include "codecs/image/trainer.h"
#include "core/crc32.h"
#include "tests/lcg.h"
#include "core/error.h"
#include "core/media/image_io.h"
#include "eval/image_metrics.h"

namespace nicodec::codecs::image {
namespace {

using testing::Lcg;

quant::IntegerConv2d layer(Lcg& g, int64_t in, int64_t out, int64_t k, bool transposed, bool relu, int64_t shift) {
  quant::IntegerConvParams p;
  p.transposed = transposed;
  p.stride = transposed ? 2 : 1;
  p.padding = k / 2;
  p.output_padding = transposed ? 1 : 0;
  p.weight = transposed ? g.tensor({in, out, k, k}, -127, 127) : g.tensor({out, in, k, k}, -127, 127);
  p.bias = g.tensor({out}, -2000, 2000);
  p.multiplier = g.tensor({out}, 32768, 65535);
  p.shift = torch::full({out}, shift, torch::kLong);
  if (relu) p.out_min = 0;
  return quant::IntegerConv2d(p);
}

// The shape of the shipped h_s, smaller: deconv5 + ReLU, deconv5 + ReLU, conv3 heads.
IntegerHyperSynthesis synthetic_h_s(Lcg& g, int64_t Nz, int64_t N, int64_t M) {
  std::vector<quant::IntegerConv2d> hidden{layer(g, Nz, N, 5, true, true, 20), layer(g, N, N, 5, true, true, 28)};
  return IntegerHyperSynthesis(std::move(hidden), layer(g, N, M, 3, false, false, 18), layer(g, N, M, 3, false, false, 17), 6);
}

uint32_t crc_of(const EntropyParameters& p) {
  auto m = p.means.cpu().contiguous();
  auto i = p.index.cpu().contiguous();
  uint32_t c = crc32(m.data_ptr<float>(), static_cast<size_t>(m.numel()) * 4);
  return crc32(i.data_ptr<int32_t>(), static_cast<size_t>(i.numel()) * 4, c);
}

// The checkerboard context's test network and input.

// A small integer context from the generator: M latent channels, C hidden.
IntegerCheckerboardContext synthetic_context(Lcg& g, int64_t M, int64_t C) {
  return IntegerCheckerboardContext(layer(g, M, C, 5, false, false, 16), layer(g, 2 * M, C, 1, false, false, 18),
                                    layer(g, C, C, 1, false, true, 22), layer(g, C, M, 1, false, false, 20),
                                    layer(g, C, M, 1, false, false, 19), 6);
}

struct ContextInput {
  torch::Tensor symbols, mean_q, log_scale_q;
};
ContextInput context_input(Lcg& g, int64_t M, int64_t h, int64_t w) {
  return {g.tensor({1, M, h, w}, -5, 5), g.tensor({1, M, h, w}, -3000, 3000), g.tensor({1, M, h, w}, -4000, 9000)};
}

uint32_t crc_of(const std::pair<torch::Tensor, torch::Tensor>& p) {
  auto m = p.first.cpu().contiguous(), l = p.second.cpu().contiguous();
  return crc32(l.data_ptr<int32_t>(), static_cast<size_t>(l.numel()) * 4,
               crc32(m.data_ptr<int32_t>(), static_cast<size_t>(m.numel()) * 4));
}

// The same synthetic context and input must give this CRC in every build.
constexpr uint32_t kGoldenContextCrc = 7264232u;

TEST(IntegerHyperSynthesis, FastPathEqualsReferenceAndIgnoresThreadCount) {
  Lcg g{7};
  auto hs = synthetic_h_s(g, 8, 12, 10);
  auto z = g.tensor({1, 8, 3, 5}, -6, 6);
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  auto one = hs.forward(z);
  at::set_num_threads(2);
  auto two = hs.forward(z);
  at::set_num_threads(threads);
  auto ref = hs.forward_reference(z);
  ASSERT_EQ(one.index.sizes(), (std::vector<int64_t>{1, 10, 12, 20}));
  EXPECT_TRUE(torch::equal(one.means, ref.means));
  EXPECT_TRUE(torch::equal(one.index, ref.index));
  EXPECT_TRUE(torch::equal(one.means, two.means));
  EXPECT_TRUE(torch::equal(one.index, two.index));
  // Not degenerate: many different scales and means.
  EXPECT_GT(std::get<0>(torch::_unique(one.index)).numel(), 8);
  EXPECT_GT(std::get<0>(torch::_unique(one.means)).numel(), 100);
}

// The same synthetic network and input must give this CRC in every build (Release, sanitizers, -O0, another
// libtorch): the cross-build half of "decodes the same on every machine".
constexpr uint32_t kGoldenCrc = 4013034277u;

TEST(IntegerHyperSynthesis, GoldenCrcAcrossBuilds) {
  Lcg g{7};
  auto hs = synthetic_h_s(g, 8, 12, 10);
  auto z = g.tensor({1, 8, 3, 5}, -6, 6);
  const uint32_t crc = crc_of(hs.forward(z));
  EXPECT_EQ(crc, kGoldenCrc) << "got " << crc;
}

// The "decodes bit-identically on a CUDA GPU", wherever the suite runs with one (skipped elsewhere):
// the synthetic network's golden CRC, and the shipped model's h_s on CPU and GPU, equal.
TEST(IntegerHyperSynthesis, CudaGivesTheCpuEntropyParameters) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA GPU visible to this libtorch";
  Lcg g{7};
  auto hs = synthetic_h_s(g, 8, 12, 10);
  auto z = g.tensor({1, 8, 3, 5}, -6, 6);
  EXPECT_EQ(crc_of(hs.forward(z.to(torch::kCUDA))), kGoldenCrc);
  const auto model = load_model(std::string(NICODEC_MODELS) + "/" + kModelFile);
  auto zs = g.tensor({1, model.net->config().Nz, 6, 9}, -8, 8);
  EXPECT_EQ(crc_of(model.h_s.forward(zs.to(torch::kCUDA))), crc_of(model.h_s.forward(zs)));
  Lcg gc{11};
  const auto ctx = synthetic_context(gc, 6, 10);
  const auto in = context_input(gc, 6, 7, 9);
  EXPECT_EQ(crc_of(ctx.forward(in.symbols.to(torch::kCUDA), in.mean_q.to(torch::kCUDA), in.log_scale_q.to(torch::kCUDA))),
            kGoldenContextCrc);
}

TEST(CheckerboardContext, FastPathEqualsReferenceIgnoresThreadsAndLeavesTheAnchors) {
  Lcg g{11};
  const auto ctx = synthetic_context(g, 6, 10);
  const auto in = context_input(g, 6, 7, 9);
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const auto one = ctx.forward(in.symbols, in.mean_q, in.log_scale_q);
  at::set_num_threads(2);
  const auto two = ctx.forward(in.symbols, in.mean_q, in.log_scale_q);
  at::set_num_threads(threads);
  const auto ref = ctx.forward_reference(in.symbols, in.mean_q, in.log_scale_q);
  EXPECT_TRUE(torch::equal(one.first, ref.first));
  EXPECT_TRUE(torch::equal(one.second, ref.second));
  EXPECT_TRUE(torch::equal(one.first, two.first));
  EXPECT_TRUE(torch::equal(one.second, two.second));
  const auto anchors = anchor_mask(7, 9).expand({1, 6, 7, 9});
  EXPECT_TRUE(torch::equal(one.first.masked_select(anchors), in.mean_q.to(torch::kInt).masked_select(anchors)));
  EXPECT_TRUE(torch::equal(one.second.masked_select(anchors), in.log_scale_q.to(torch::kInt).masked_select(anchors)));
  const auto others = anchors.logical_not();
  EXPECT_GT(one.first.masked_select(others).ne(in.mean_q.to(torch::kInt).masked_select(others)).sum().item<int64_t>(), 50);
  // The non-anchors depend on the anchors' symbols and not on their own (the decoder does not have them yet).
  auto own = in.symbols.clone().masked_fill_(anchors, 0);
  EXPECT_TRUE(torch::equal(ctx.forward(in.symbols + own, in.mean_q, in.log_scale_q).first, one.first));
  auto theirs = in.symbols.clone().masked_fill_(others, 0);
  EXPECT_FALSE(torch::equal(ctx.forward(in.symbols + theirs, in.mean_q, in.log_scale_q).first, one.first));
}

// The cross-build half of determinism, as for h_s.
TEST(CheckerboardContext, GoldenCrcAcrossBuilds) {
  Lcg g{11};
  const auto ctx = synthetic_context(g, 6, 10);
  const auto in = context_input(g, 6, 7, 9);
  const uint32_t crc = crc_of(ctx.forward(in.symbols, in.mean_q, in.log_scale_q));
  EXPECT_EQ(crc, kGoldenContextCrc) << "got " << crc;
}

// from_float: the integer network's corrections follow the float network's.
TEST(CheckerboardContext, IntegerFormFollowsTheFloatNetwork) {
  torch::manual_seed(3);
  const int64_t M = 8, h = 12, w = 10;
  CheckerboardContext net(M, 16);
  {
    torch::NoGradGuard ng;
    net->head->weight.mul_(100.0);  // undo the "start as no correction" scaling
  }
  Lcg g{5};
  ContextCalibration calib{g.tensor({4, M, h, w}, -4, 4), g.tensor({4, M, h, w}, -2000, 2000),
                           g.tensor({4, M, h, w}, -2000, 8000)};
  calib.anchor_symbols.masked_fill_(anchor_mask(h, w).logical_not(), 0);
  const int mean_shift = 6;
  const auto ictx = IntegerCheckerboardContext::from_float(net, mean_shift, calib);
  const auto [mean_q, log_scale_q] = ictx.forward(calib.anchor_symbols, calib.mean_q, calib.log_scale_q);
  torch::NoGradGuard ng;
  const auto d = net->forward(calib.anchor_symbols.to(torch::kFloat), calib.mean_q.to(torch::kFloat) / 64.0,
                              calib.log_scale_q.to(torch::kFloat) / 2048.0);
  const auto others = anchor_mask(h, w).logical_not().expand({4, M, h, w});
  auto dm_int = ((mean_q - calib.mean_q).to(torch::kFloat) / 64.0).masked_select(others);
  auto dl_int = ((log_scale_q - calib.log_scale_q).to(torch::kFloat) / 2048.0).masked_select(others);
  auto dm = d.narrow(1, 0, M).masked_select(others), dl = d.narrow(1, M, M).masked_select(others);
  EXPECT_LT((dm_int - dm).abs().mean().item<double>(), 0.02 * dm.abs().mean().item<double>() + 1.0 / 64);
  EXPECT_LT((dl_int - dl).abs().mean().item<double>(), 0.02 * dl.abs().mean().item<double>() + 1.0 / 2048);
  EXPECT_GT(dm.abs().mean().item<double>(), 0.05);  // the corrections are not trivially zero
}

// A model file keeps only the integer h_s; training from a file rebuilds a float one that must compute the same.
TEST(IntegerHyperSynthesis, FloatFormRebuiltFromTheIntegerOneComputesTheSame) {
  torch::manual_seed(4);
  ModelConfig c;
  c.N = 16, c.M = 12, c.Nz = 8, c.levels = 3;
  ImageModel a(c), b(c);
  Lcg g{7};
  const auto z = g.tensor({4, c.Nz, 6, 5}, -6, 6).to(torch::kFloat);
  const auto ihs = IntegerHyperSynthesis::from_float(a->h_s, c.M, z);
  torch::NoGradGuard ng;
  auto rms = [](const torch::Tensor& t) { return t.pow(2).mean().sqrt().item<double>(); };
  const double rms0 = rms(b->h_s->ptr(0)->as<torch::nn::ConvTranspose2d>()->weight);
  const auto want = a->h_s->forward(z);
  const double before = (b->h_s->forward(z) - want).abs().mean().item<double>();
  ihs.to_float(b->h_s);
  const auto got = b->h_s->forward(z);
  const double mean_err = (got - want).narrow(1, 0, c.M).abs().mean().item<double>();
  const double scale_err = (got - want).narrow(1, c.M, c.M).abs().mean().item<double>();
  const double size = want.abs().mean().item<double>();
  EXPECT_GT(before, 0.2 * size);  // two random networks: far apart
  EXPECT_LT(mean_err, 0.01 * size + 1.0 / 64);
  EXPECT_LT(scale_err, 0.01 * size + 1.0 / 2048);
  // The hidden layer keeps the RMS of b's initialisation (the rescaling the doc promises).
  EXPECT_NEAR(rms(b->h_s->ptr(0)->as<torch::nn::ConvTranspose2d>()->weight), rms0, 1e-4 * rms0);
}

TEST(Bound, GradientPassesInsideAndOnlyBackTowardTheRangeOutside) {
  for (double sign : {1.0, -1.0}) {
    auto x = torch::tensor({-5.0, 0.0, 5.0}).set_requires_grad(true);
    (bound(x, -1.0, 1.0) * sign).sum().backward();
    auto g = x.grad();
    EXPECT_DOUBLE_EQ(g[1].item<double>(), sign);                      // inside: passes
    EXPECT_DOUBLE_EQ(g[0].item<double>(), sign < 0 ? sign : 0.0);     // below: only if descent moves it up
    EXPECT_DOUBLE_EQ(g[2].item<double>(), sign > 0 ? sign : 0.0);     // above: only if descent moves it down
  }
  EXPECT_TRUE(torch::equal(bound(torch::tensor({-5.0, 0.5, 5.0}), -1.0, 1.0), torch::tensor({-1.0, 0.5, 1.0})));
}

// ---- resampling for coding at reduced size ----

Image gradient_picture(int w, int h) {
  Image img;
  img.width = w, img.height = h;
  img.rgb.resize(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t* p = &img.rgb[(static_cast<size_t>(y) * w + x) * 3];
      p[0] = static_cast<uint8_t>(40 + x * 150 / w), p[1] = static_cast<uint8_t>(60 + y * 120 / h);
      p[2] = static_cast<uint8_t>(90 + (x + y) * 60 / (w + h));
    }
  return img;
}


TEST(Resampling, BoxDownscaleAveragesEachBlockIncludingPartialEdges) {
  Lcg rng{5};
  Image img;
  img.width = 13, img.height = 7;  // 4x2 blocks of 4, the last column and row partial
  for (int i = 0; i < 13 * 7 * 3; ++i) img.rgb.push_back(static_cast<uint8_t>(rng.next(0, 255)));
  const Image small = downscale_box(img, 4);
  ASSERT_EQ(small.width, 4);
  ASSERT_EQ(small.height, 2);
  for (int oy = 0; oy < 2; ++oy)
    for (int ox = 0; ox < 4; ++ox)
      for (int c = 0; c < 3; ++c) {
        double sum = 0;
        int n = 0;
        for (int y = oy * 4; y < std::min(7, oy * 4 + 4); ++y)
          for (int x = ox * 4; x < std::min(13, ox * 4 + 4); ++x, ++n) sum += img.rgb[(y * 13 + x) * 3 + c];
        EXPECT_NEAR(small.rgb[(oy * 4 + ox) * 3 + c], sum / n, 0.5) << ox << "," << oy << " channel " << c;
      }
  EXPECT_EQ(downscale_box(img, 1).rgb, img.rgb);
}

torch::Tensor planes(const Image& img) {  // [1, 3, h, w] float, 0..255
  return torch::from_blob(const_cast<uint8_t*>(img.rgb.data()), {1, img.height, img.width, 3}, torch::kUInt8)
      .permute({0, 3, 1, 2})
      .to(torch::kFloat);
}

TEST(Resampling, SmoothPicturesSurviveADownAndUpRoundTrip) {
  for (int s : {2, 4}) {
    const Image img = gradient_picture(203, 117);  // sizes that are not multiples of s
    const Image small = downscale_box(img, s);
    const auto up = upscale_bicubic(planes(small), s);
    ASSERT_EQ(up.size(2), small.height * s);
    ASSERT_EQ(up.size(3), small.width * s);
    const auto back = up.narrow(2, 0, img.height).narrow(3, 0, img.width);
    const double mse = (back - planes(img)).pow(2).mean().item<double>();
    // A linear ramp: only the 8-bit box averages and the outer edges differ.
    EXPECT_GT(10.0 * std::log10(255.0 * 255.0 / mse), 40.0) << "factor " << s;
  }
  EXPECT_THROW(upscale_bicubic(torch::zeros({3, 4, 4}), 2), UsageError);
}

// ---- the shipped model ----

const ImageCodec& codec() {
  static const ImageCodec c(load_model(std::string(NICODEC_MODELS) + "/" + kModelFile));
  return c;
}

Image sample() { return read_image(NICODEC_SAMPLES "/citrus-256.png"); }

double psnr(const Image& a, const Image& b) {
  return eval::psnr({a.rgb.data(), a.width, a.height, 3}, {b.rgb.data(), b.width, b.height, 3});
}

// Latent refinement lowers the model's own loss, bpp + lambda * 255^2 * MSE, measured on the real file and its
// int8 decode (not only on the float proxy it optimizes), and leaves a file the plain decoder reads.
// Mean absolute difference between horizontal neighbours: how much fine detail a batch holds.
double detail(const torch::Tensor& x) {
  return (x.narrow(3, 1, x.size(3) - 1) - x.narrow(3, 0, x.size(3) - 1)).abs().mean().item<double>();
}

TEST(ImageCrops, ZoomedCropsAreSmootherAndStayInRange) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("nicodec_crops_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::copy_file(std::string(NICODEC_SAMPLES) + "/citrus-256.png", dir / "citrus.png");
  std::mt19937_64 rng_a(7), rng_b(7);
  const auto plain = codecs::ImageCrops(dir.string(), 64).batch(64, rng_a);
  const auto zoomed = codecs::ImageCrops(dir.string(), 64, 1.0, 4.0).batch(64, rng_b);
  ASSERT_EQ(zoomed.sizes(), plain.sizes());
  EXPECT_GE(zoomed.min().item<float>(), 0.0f);
  EXPECT_LE(zoomed.max().item<float>(), 1.0f);
  // Bilinear upscaling by 1x-4x spreads each step over several pixels: far less neighbour difference.
  EXPECT_LT(detail(zoomed), 0.7 * detail(plain)) << detail(zoomed) << " vs " << detail(plain);
  // A zero share draws exactly what the plain constructor does.
  std::mt19937_64 rng_c(7);
  EXPECT_TRUE(torch::equal(codecs::ImageCrops(dir.string(), 64, 0.0).batch(64, rng_c), plain));
  EXPECT_THROW(codecs::ImageCrops(dir.string(), 64, 1.5), UsageError);
  fs::remove_all(dir);
}

// --init-from: the shipped file's weights, more rate levels, and at step 0 the same gains at every q (the new
// levels start where gain() extrapolated to) and an h_s that follows the integer one.
TEST(ImageTrainer, ModelFileStartsARunWithMoreLevelsWhereTheGainsExtrapolated) {
  const std::string path = std::string(NICODEC_MODELS) + "/" + kModelFile;
  const CodecModel& file = codec().model();
  ImageModel ref = file.net;
  const int64_t levels = ref->config().levels;
  ImageModel net = trainable_from_model_file(path, levels + 3);
  EXPECT_EQ(net->config().levels, levels + 3);
  torch::NoGradGuard ng;
  for (double q : {-3.0, 0.0, 3.3, static_cast<double>(levels - 1), levels + 0.5, levels + 2.0})
    for (bool inverse : {false, true}) {
      auto qt = torch::full({1}, q);
      EXPECT_LT((net->gain(qt, inverse) - ref->gain(qt, inverse)).abs().max().item<double>(), 1e-4)
          << "q " << q << (inverse ? " inverse" : "");
    }
  const Image img = sample();
  auto x = torch::from_blob(const_cast<uint8_t*>(img.rgb.data()), {1, img.height, img.width, 3}, torch::kUInt8)
               .permute({0, 3, 1, 2}).to(torch::kFloat).div(255.0);
  auto z = torch::round(ref->hyper_analysis(ref->analysis(x) * ref->gain(torch::full({1}, 4.0), false)));
  EXPECT_LT((net->hyper_analysis(net->analysis(x)) - ref->hyper_analysis(ref->analysis(x))).abs().max().item<double>(), 1e-5);
  const auto exact = file.h_s.forward(z);
  const auto params = net->hyper_synthesis(z);
  const double err = (params.narrow(1, 0, net->config().M) - exact.means).abs().mean().item<double>();
  EXPECT_LT(err, 0.02 * exact.means.abs().mean().item<double>() + 1.0 / 64);
  EXPECT_THROW(trainable_from_model_file(path, levels - 1), UsageError);
}

TEST(ImageCodec, RefinementLowersTheRateDistortionLoss) {
  const Image img = sample();
  ImageCodec refined(load_model(std::string(NICODEC_MODELS) + "/" + kModelFile));
  refined.set_refinement_steps(20);
  const double q = 2.0, lambda = codec().model().net->config().lambda(q);
  auto loss = [&](const std::vector<uint8_t>& bytes) {
    const double bpp = 8.0 * static_cast<double>(bytes.size()) / (img.width * img.height);
    const double mse = 255.0 * 255.0 * std::pow(10.0, -psnr(img, codec().decode(bytes)) / 10.0);
    return bpp + lambda * mse;
  };
  const auto plain = codec().encode(img, q), better = refined.encode(img, q);
  EXPECT_LT(loss(better), loss(plain) * 0.99) << "plain " << plain.size() << " bytes, refined " << better.size();
  EXPECT_EQ(codec().encode(img, q), plain);  // the default codec does not refine
}

// --bpp with refinement: the file fits the budget, never decodes worse than the unrefined --bpp file, and where
// refinement at the unrefined level overshoots, a refined file a little lower is found and kept.
TEST(ImageCodec, BppWithRefinementStaysInBudgetAndRecoversOvershoots) {
  const Image img = sample();
  ImageCodec refined(load_model(std::string(NICODEC_MODELS) + "/" + kModelFile));
  refined.set_refinement_steps(20);
  const double pixels = static_cast<double>(img.width) * img.height;
  int recovered = 0;
  for (double target : {0.15, 0.3, 0.5}) {
    SCOPED_TRACE("target " + std::to_string(target));
    const auto plain = codec().encode_to_bpp(img, target);
    const auto r = refined.encode_to_bpp(img, target);
    const double bpp = 8.0 * static_cast<double>(r.bytes.size()) / pixels;
    EXPECT_LE(bpp, target);
    EXPECT_GE(bpp, 0.95 * target);
    EXPECT_EQ(r.bpp, bpp);
    const double gain = psnr(codec().decode(r.bytes), img) - psnr(codec().decode(plain.bytes), img);
    EXPECT_GE(gain, 0.0);
    const bool overshoot = 8.0 * static_cast<double>(refined.encode(img, plain.q).size()) > target * pixels;
    if (overshoot && r.q < plain.q && gain > 0) ++recovered;
  }
  EXPECT_GE(recovered, 1);
}

TEST(ImageCodec, RoundTripIsDeterministicAndLooksLikeTheInput) {
  const Image img = sample();
  const auto bytes = codec().encode(img, 5.0);
  const Image a = codec().decode(bytes), b = codec().decode(bytes);
  ASSERT_EQ(a.width, img.width);
  ASSERT_EQ(a.height, img.height);
  EXPECT_EQ(a.rgb, b.rgb);
  EXPECT_GT(psnr(a, img), 21.0);  // a sanity floor (a wrong decode lands near 10 dB); quality: docs/results.md
  // More rate, more quality.
  const auto small = codec().encode(img, 1.0);
  EXPECT_LT(small.size(), bytes.size());
  EXPECT_LT(psnr(codec().decode(small), img), psnr(a, img));
}

// The shipped model codes y in two halves with its checkerboard context: fewer bytes than the same model without
// it at the same quality; files of the base version (no context) still decode, and a file missing its second
// half is refused.
TEST(ImageCodec, CheckerboardContextSavesBitsAndBaseVersionFilesStillDecode) {
  ASSERT_TRUE(codec().model().has_context);
  CodecModel base_model = load_model(std::string(NICODEC_MODELS) + "/" + kModelFile);
  base_model.has_context = false;
  base_model.version = base_model.context_base_version;
  const ImageCodec base(std::move(base_model));
  const Image img = sample();
  for (double q : {0.0, 4.0}) {
    SCOPED_TRACE("q " + std::to_string(q));
    const auto with = codec().encode(img, q), without = base.encode(img, q);
    EXPECT_LT(static_cast<double>(with.size()), 0.97 * static_cast<double>(without.size()));
    EXPECT_NEAR(psnr(codec().decode(with), img), psnr(base.decode(without), img), 0.15);
    EXPECT_EQ(codec().decode(without).rgb, base.decode(without).rgb);
    EXPECT_THROW(base.decode(with), FormatError);
    Container c = read_container(with);
    ASSERT_NO_THROW(c.section("y2"));
    c.sections.erase(std::remove_if(c.sections.begin(), c.sections.end(), [](const auto& x) { return x.name == "y2"; }),
                     c.sections.end());
    EXPECT_THROW(codec().decode(write_container(c)), FormatError);
  }
}

// f() run with one and then two libtorch threads; the thread count is restored after.
template <class F>
auto with_one_and_two_threads(F f) {
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  auto one = f();
  at::set_num_threads(2);
  auto two = f();
  at::set_num_threads(threads);
  return std::make_pair(std::move(one), std::move(two));
}

TEST(ImageCodec, EntropyPathIsIdenticalWithOneAndTwoThreads) {
  const auto bytes = codec().encode(sample(), 4.0);
  const auto [one, two] = with_one_and_two_threads([&] { return codec().decode_latents(bytes); });
  EXPECT_TRUE(torch::equal(one.y_symbols, two.y_symbols));
  EXPECT_TRUE(torch::equal(one.means, two.means));
  EXPECT_TRUE(torch::equal(one.index, two.index));
}

TEST(ImageCodec, RateControlLandsWithinFivePercentBelowTheTarget) {
  const Image img = sample();
  for (double target : {0.1, 0.25, 0.6, 1.2}) {
    const auto r = codec().encode_to_bpp(img, target);
    const double bpp = 8.0 * static_cast<double>(r.bytes.size()) / (img.width * img.height);
    EXPECT_LE(bpp, target) << target;
    if (!r.hit_max) {
      EXPECT_GE(bpp, 0.95 * target) << target;
    }
    EXPECT_DOUBLE_EQ(bpp, r.bpp);
    EXPECT_EQ(codec().decode(r.bytes).width, img.width);
  }
  EXPECT_THROW(codec().encode_to_bpp(img, 0.001), UsageError);
  EXPECT_THROW(codec().encode_to_bpp(img, -1), UsageError);
}

Image crop(const Image& src, int w, int h) {
  Image o;
  o.width = w;
  o.height = h;
  o.rgb.resize(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) o.pixel(x, y)[c] = src.pixel(x % src.width, y % src.height)[c];
  return o;
}

// GDN's channel mixing gives the same floats with one and two threads (libtorch's conv2d did not, so decoded
// pixels differed in the last level here and there), and it follows the formula y = x * sqrt(beta + gamma x^2)
// worked out in double.
TEST(Gdn, SameOutputWithOneAndTwoThreadsAndTheFormula) {
  torch::manual_seed(3);
  codecs::Gdn g(128, true);
  torch::NoGradGuard ng;
  for (auto& p : g->parameters()) p.uniform_(0.05, 0.5);
  const auto x = torch::randn({1, 128, 64, 96});
  const auto [one, two] = with_one_and_two_threads([&] { return g->forward(x); });
  EXPECT_TRUE(torch::equal(one, two));
  const auto xd = x.to(torch::kDouble);
  const auto norm = torch::einsum("ij,bjhw->bihw", {g->gamma().to(torch::kDouble), xd * xd}) + g->beta().to(torch::kDouble).view({1, -1, 1, 1});
  const auto want = xd * torch::sqrt(norm);
  EXPECT_LT((one.to(torch::kDouble) - want).abs().max().item<double>(), 1e-4 * want.abs().max().item<double>());
}

// A 768x512 picture (the size where the old GDN made one and two threads differ) decodes to the same pixels.
TEST(ImageCodec, DecodedPixelsAreIdenticalWithOneAndTwoThreads) {
  const auto bytes = codec().encode(crop(sample(), 768, 512), 4.0);
  const auto [one, two] = with_one_and_two_threads([&] { return codec().decode(bytes); });
  EXPECT_EQ(one.rgb, two.rgb);
}

TEST(ImageCodec, AnySizeFromOnePixel) {
  const Image img = sample();
  for (auto [w, h] : std::vector<std::pair<int, int>>{{1, 1}, {3, 70}, {130, 66}, {64, 64}}) {
    const Image in = crop(img, w, h);
    const Image out = codec().decode(codec().encode(in, 4.0));
    EXPECT_EQ(out.width, w);
    EXPECT_EQ(out.height, h);
    EXPECT_EQ(out.rgb.size(), in.rgb.size());
  }
}

TEST(ImageCodec, LargeImagesAreTiledWithoutVisibleCost) {
  const Image img = sample();
  const Image wide = crop(img, 5 * img.width + 16, img.height);  // 80+ latents wide: more than one tile
  const double single = psnr(codec().decode(codec().encode(img, 5.0)), img);
  const double tiled = psnr(codec().decode(codec().encode(wide, 5.0)), wide);
  EXPECT_NEAR(tiled, single, 0.5);
  EXPECT_THROW(codec().encode(crop(img, 40000, 1), 4.0), UsageError);
}

TEST(ImageCodec, TruncatedOrCorruptedFilesFailCleanly) {
  const auto bytes = codec().encode(sample(), 3.0);
  for (size_t n = 0; n < bytes.size(); n += 1 + n / 8) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(n));
    EXPECT_THROW(codec().decode(cut), Error) << n;
  }
  for (size_t i = 0; i < bytes.size(); i += 7) {
    auto bad = bytes;
    bad[i] ^= 0x20;
    EXPECT_THROW(codec().decode(bad), Error) << i;
  }
}

// At a target far below what a full-size picture codes well, a smooth picture coded at half or quarter size and
// upscaled is much closer to the original; the choice is written in the file and the decoder follows it.
// Damaged payloads behind a valid container CRC (a bug in an encoder, not a flipped bit): the two halves of y cut,
// emptied, filled with noise or swapped either fail with a clear error or decode to a picture of the right size.
TEST(ImageCodec, DamagedLatentSectionsBehindAValidCrcFailCleanly) {
  const auto bytes = codec().encode(sample(), 3.0);
  Lcg g{9};
  int refused = 0;
  for (int k = 0; k < 12; ++k) {
    Container c = read_container(bytes);
    auto find = [&](const std::string& name) -> std::vector<uint8_t>& {
      for (auto& s : c.sections)
        if (s.name == name) return s.data;
      throw std::logic_error("no section " + name);
    };
    auto& y = find("y");
    auto& y2 = find("y2");
    auto& target = k % 2 ? y2 : y;
    switch (k / 2) {
      case 0: target.resize(target.size() / 2); break;
      case 1: target.clear(); break;
      case 2: for (auto& b : target) b = static_cast<uint8_t>(g.next(0, 255)); break;
      case 3: std::swap(y, y2); break;
      case 4: target.insert(target.end(), 64, 0xff); break;
      default: target[target.size() / 3] ^= 0x55; break;
    }
    try {
      const Image out = codec().decode(write_container(c));
      EXPECT_EQ(out.width, 256);
    } catch (const Error&) {
      ++refused;
    }
  }
  EXPECT_GT(refused, 0);
}

TEST(ImageCodec, LowTargetsCodeASmallerPictureWhenThatDecodesCloser) {
  const Image img = gradient_picture(384, 256);
  ImageCodec scaling(load_model(std::string(NICODEC_MODELS) + "/" + kModelFile));
  scaling.set_max_downscale(4);
  const double target = 0.04;
  const auto full = codec().encode_to_bpp(img, target), chosen = scaling.encode_to_bpp(img, target);
  EXPECT_EQ(full.scale, 1);
  EXPECT_GT(chosen.scale, 1);
  EXPECT_LE(chosen.bpp, target);
  EXPECT_GE(chosen.bpp, 0.95 * target);
  const Image a = codec().decode(full.bytes), b = codec().decode(chosen.bytes);
  ASSERT_EQ(b.width, img.width);
  ASSERT_EQ(b.height, img.height);
  EXPECT_GT(psnr(b, img), psnr(a, img) + 3.0) << "full size " << psnr(a, img) << " dB at q " << full.q;
  EXPECT_EQ(read_container(chosen.bytes).param("s"), chosen.scale);
  EXPECT_FALSE(read_container(full.bytes).has_param("s"));  // full-size files are what they always were
  // A rich picture at a generous target stays full size.
  EXPECT_EQ(scaling.encode_to_bpp(sample(), 1.0).scale, 1);
  EXPECT_THROW(scaling.set_max_downscale(3), UsageError);
  // The per-call limit does the same without touching the codec's setting.
  const auto per_call = codec().encode_to_bpp(img, target, 0, 4);
  EXPECT_EQ(per_call.scale, chosen.scale);
  EXPECT_EQ(per_call.bytes, chosen.bytes);
  EXPECT_EQ(codec().max_downscale(), 1);
  EXPECT_THROW(codec().encode_to_bpp(img, target, 0, 3), UsageError);
  // A fixed level at a given scale: the file says so and decodes to the full size, a smaller file than full size.
  for (int s : {2, 4}) {
    SCOPED_TRACE(s);
    const auto at = codec().encode(img, 2.0, 0, s);
    EXPECT_EQ(read_container(at).param("s"), s);
    const Image dec = codec().decode(at);
    EXPECT_EQ(dec.width, img.width);
    EXPECT_EQ(dec.height, img.height);
    EXPECT_LT(at.size(), codec().encode(img, 2.0, 0).size());
    EXPECT_GT(psnr(dec, img), 25.0);
  }
  EXPECT_THROW(codec().encode(img, 2.0, 0, 3), UsageError);
}

TEST(ImageCodec, RejectsOtherModelsAndAbsurdHeadersBeforeAllocating) {
  const auto bytes = codec().encode(sample(), 3.0);
  Container c = read_container(bytes);
  c.model_version += 1;
  try {
    codec().decode(write_container(c));
    FAIL() << "a file from another model version decoded";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("v" + std::to_string(codec().model().version)), std::string::npos) << e.what();
  }
  c = read_container(bytes);
  c.set_param("w", 30000);
  c.set_param("h", 30000);
  EXPECT_THROW(codec().decode(write_container(c)), FormatError);
  c = read_container(bytes);
  c.set_param("q", 99000);
  EXPECT_THROW(codec().decode(write_container(c)), FormatError);
  c = read_container(bytes);
  c.codec = CodecKind::kAudio;
  EXPECT_THROW(codec().decode(write_container(c)), FormatError);
  for (int64_t s : {0, 3, 8, -2}) {
    c = read_container(bytes);
    c.set_param("s", s);
    EXPECT_THROW(codec().decode(write_container(c)), FormatError) << "downscale factor " << s;
  }
}

}  // namespace
}  // namespace nicodec::codecs::image
