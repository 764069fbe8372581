// Image metrics against FFmpeg's psnr and ssim filters on the same pictures, and against known properties.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <regex>
#include <string>

#include "core/error.h"
#include "tests/run_command.h"
#include "core/media/image_io.h"
#include "eval/image_metrics.h"

namespace nicodec::eval {
namespace {

namespace fs = std::filesystem;

using nicodec::testing::run_command;
const auto run = run_command;

double grab(const std::string& text, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(key + ":([0-9.]+|inf)"))) return NAN;
  return std::stod(m[1]);
}

class Metrics : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nicodec_metrics_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    orig_ = read_image(std::string(NICODEC_SAMPLES) + "/citrus-256.png");
    // A JPEG at quality 25 of the sample: realistic coding distortion.
    cv::Mat rgb(orig_.height, orig_.width, CV_8UC3, orig_.rgb.data()), bgr, dec;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    std::vector<uint8_t> jpg;
    cv::imencode(".jpg", bgr, jpg, {cv::IMWRITE_JPEG_QUALITY, 25});
    dec = cv::imdecode(jpg, cv::IMREAD_COLOR);
    cv::imwrite(path("dist.png"), dec);
    write_image(path("orig.png"), orig_);
    dist_ = read_image(path("dist.png"));
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& n) const { return (dir_ / n).string(); }
  ImageView view(const Image& i) const { return {i.rgb.data(), i.width, i.height, 3}; }
  fs::path dir_;
  Image orig_, dist_;
};

TEST_F(Metrics, PsnrMatchesFfmpeg) {
  const std::string log = run("ffmpeg -hide_banner -i " + path("dist.png") + " -i " + path("orig.png") + " -lavfi psnr -f null -");
  const double ff = grab(log, "average");
  ASSERT_FALSE(std::isnan(ff)) << log;
  EXPECT_NEAR(psnr(view(dist_), view(orig_)), ff, 0.006);  // FFmpeg prints two decimals
  const std::string logy = run("ffmpeg -hide_banner -i " + path("dist.png") + " -i " + path("orig.png") +
                               " -lavfi \"[0:v]format=yuv444p[a];[1:v]format=yuv444p[b];[a][b]psnr\" -f null -");
  const double ffy = grab(logy, "y");
  ASSERT_FALSE(std::isnan(ffy)) << logy;
  EXPECT_NEAR(psnr_y(view(dist_), view(orig_)), ffy, 0.05);  // swscale's fixed-point coefficients differ slightly
}

TEST_F(Metrics, Ssim8x8MatchesFfmpegsSsimFilter) {
  cv::Mat a = cv::imread(path("orig.png"), cv::IMREAD_GRAYSCALE), b = cv::imread(path("dist.png"), cv::IMREAD_GRAYSCALE);
  cv::imwrite(path("a.png"), a);
  cv::imwrite(path("b.png"), b);
  const std::string log = run("ffmpeg -hide_banner -i " + path("b.png") + " -i " + path("a.png") + " -lavfi ssim -f null -");
  const double ff = grab(log, "All");
  ASSERT_FALSE(std::isnan(ff)) << log;
  EXPECT_NEAR(ssim_8x8({b.data, b.cols, b.rows, 1}, {a.data, a.cols, a.rows, 1}), ff, 2e-6);  // FFmpeg prints 6 decimals
}

// Wang et al.'s SSIM computed the slow, obvious way: for every valid 11x11 window, Gaussian-weighted means,
// variances and covariance, then the SSIM formula. Independent of the library's separable filtering.
double naive_gaussian_ssim(const uint8_t* a, const uint8_t* b, int w, int h) {
  double g[11][11], gs = 0;
  for (int i = 0; i < 11; ++i)
    for (int j = 0; j < 11; ++j) gs += g[i][j] = std::exp(-((i - 5) * (i - 5) + (j - 5) * (j - 5)) / (2 * 1.5 * 1.5));
  const double c1 = std::pow(0.01 * 255, 2), c2 = std::pow(0.03 * 255, 2);
  double total = 0;
  for (int y = 0; y + 11 <= h; ++y)
    for (int x = 0; x + 11 <= w; ++x) {
      double ma = 0, mb = 0, vaa = 0, vbb = 0, vab = 0;
      for (int i = 0; i < 11; ++i)
        for (int j = 0; j < 11; ++j) {
          const double wt = g[i][j] / gs, va = a[(y + i) * w + x + j], vb = b[(y + i) * w + x + j];
          ma += wt * va, mb += wt * vb;
        }
      for (int i = 0; i < 11; ++i)
        for (int j = 0; j < 11; ++j) {
          const double wt = g[i][j] / gs, da = a[(y + i) * w + x + j] - ma, db = b[(y + i) * w + x + j] - mb;
          vaa += wt * da * da, vbb += wt * db * db, vab += wt * da * db;
        }
      total += (2 * ma * mb + c1) * (2 * vab + c2) / ((ma * ma + mb * mb + c1) * (vaa + vbb + c2));
    }
  return total / ((w - 10) * (h - 10));
}

TEST_F(Metrics, GaussianSsimMatchesANaiveImplementation) {
  cv::Mat a = cv::imread(path("orig.png"), cv::IMREAD_GRAYSCALE), b = cv::imread(path("dist.png"), cv::IMREAD_GRAYSCALE);
  const cv::Rect roi(30, 40, 97, 64);  // odd sizes, off the origin
  cv::Mat ca = a(roi).clone(), cb = b(roi).clone();
  EXPECT_NEAR(ssim({cb.data, cb.cols, cb.rows, 1}, {ca.data, ca.cols, ca.rows, 1}), naive_gaussian_ssim(cb.data, ca.data, cb.cols, cb.rows), 1e-9);
}

TEST_F(Metrics, KnownValuesAndProperties) {
  EXPECT_TRUE(std::isinf(psnr(view(orig_), view(orig_))));
  EXPECT_NEAR(ssim(view(orig_), view(orig_)), 1.0, 1e-12);
  EXPECT_NEAR(ms_ssim(view(orig_), view(orig_)), 1.0, 1e-12);
  // A uniform error of 1 everywhere: MSE 1, PSNR = 20 log10 255.
  Image plus = orig_;
  for (auto& v : plus.rgb) v = static_cast<uint8_t>(v < 255 ? v + 1 : v - 1);
  EXPECT_NEAR(mse(view(plus), view(orig_)), 1.0, 1e-12);
  EXPECT_NEAR(psnr(view(plus), view(orig_)), 20 * std::log10(255.0), 1e-9);
  // SSIM of two constant images c and d: luminance term only, (2cd + C1) / (c^2 + d^2 + C1).
  std::vector<uint8_t> c(64 * 64, 100), d(64 * 64, 120);
  const double C1 = 6.5025;
  EXPECT_NEAR(ssim({c.data(), 64, 64, 1}, {d.data(), 64, 64, 1}), (2 * 100.0 * 120 + C1) / (100.0 * 100 + 120.0 * 120 + C1), 1e-9);
  // More distortion, lower scores; MS-SSIM is above SSIM for this blur-like JPEG loss.
  const double s = ssim(view(dist_), view(orig_)), ms = ms_ssim(view(dist_), view(orig_));
  EXPECT_GT(s, 0.5);
  EXPECT_LT(s, 1.0);
  EXPECT_GT(ms, s);
  EXPECT_LT(ms, 1.0);
  EXPECT_NEAR(bpp(1000, 100, 80), 1.0, 1e-12);
}

TEST_F(Metrics, ClearErrorsForMismatchedOrTinyImages) {
  std::vector<uint8_t> small(100 * 100 * 3, 5);
  EXPECT_THROW(psnr(view(orig_), {small.data(), 100, 100, 3}), UsageError);
  EXPECT_THROW(ms_ssim({small.data(), 100, 100, 3}, {small.data(), 100, 100, 3}), UsageError);
  EXPECT_THROW(ssim({small.data(), 5, 5, 3}, {small.data(), 5, 5, 3}), UsageError);
}

}  // namespace
}  // namespace nicodec::eval
