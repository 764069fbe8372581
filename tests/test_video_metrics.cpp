// Video PSNR per plane against FFmpeg's psnr filter on a real clip coded with x264.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <regex>

#include "core/error.h"
#include "tests/run_command.h"
#include "core/media/video_io.h"
#include "eval/image_metrics.h"
#include "eval/video_metrics.h"

namespace nicodec::eval {
namespace {

namespace fs = std::filesystem;

using nicodec::testing::run_command;
const auto run = run_command;

TEST(VideoMetrics, PlanePsnrMatchesFfmpegOnAnX264Clip) {
  const fs::path dir = fs::temp_directory_path() / ("nicodec_vm_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string src = std::string(NICODEC_SAMPLES) + "/cockatoo-160x96.y4m";
  const std::string coded = (dir / "c.mp4").string(), dec = (dir / "d.y4m").string();
  run("ffmpeg -nostdin -y -i " + src + " -c:v libx264 -qp 36 " + coded);
  run("ffmpeg -nostdin -y -i " + coded + " -pix_fmt yuv420p " + dec);
  const std::string log = run("ffmpeg -nostdin -i " + dec + " -i " + src + " -lavfi psnr -f null -");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(log, m, std::regex("y:([0-9.]+) u:([0-9.]+) v:([0-9.]+)"))) << log;
  // FFmpeg's summary PSNR per plane is 10 log10(255^2 / mean MSE over frames); ours per frame, then we do the same.
  VideoReader a(src), b(dec);
  Frame420 fa, fb;
  double mse[3] = {0, 0, 0};
  int frames = 0;
  while (a.read(fa) && b.read(fb)) {
    const YuvPsnr p = psnr_yuv420(fa, fb);
    const double planes[3] = {p.y, p.u, p.v};
    for (int k = 0; k < 3; ++k) mse[k] += 255.0 * 255.0 / std::pow(10.0, planes[k] / 10);
    EXPECT_NEAR(p.yuv, (6 * p.y + p.u + p.v) / 8, 1e-12);
    ++frames;
  }
  ASSERT_EQ(frames, 6);
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(10 * std::log10(255.0 * 255.0 / (mse[k] / frames)), std::stod(m[k + 1]), 0.006) << k;
  fs::remove_all(dir);
}

TEST(VideoMetrics, KnownValuesAndErrors) {
  Frame420 f, g;
  f.resize(33, 17);
  g.resize(33, 17);
  std::fill(f.y.begin(), f.y.end(), 100);
  std::fill(g.y.begin(), g.y.end(), 102);  // MSE 4 on Y, identical chroma
  const YuvPsnr p = psnr_yuv420(f, g);
  EXPECT_NEAR(p.y, 10 * std::log10(255.0 * 255.0 / 4), 1e-9);
  EXPECT_TRUE(std::isinf(p.u));
  EXPECT_NEAR(kbps(1000, 30, 30.0), 8.0, 1e-12);
  Frame420 h;
  h.resize(32, 16);
  EXPECT_THROW(psnr_yuv420(f, h), UsageError);
}

TEST(VideoMetrics, MsSsimYuvWeightsThePlanesSixToOneToOne) {
  // A gradient with texture: enough structure for MS-SSIM at every scale.
  Frame420 f;
  f.resize(400, 384);
  for (int y = 0; y < f.height; ++y)
    for (int x = 0; x < f.width; ++x)
      f.y[static_cast<size_t>(y) * f.width + x] = static_cast<uint8_t>((x / 3 + y / 2 + ((x * 7) ^ (y * 13)) % 23) & 255);
  for (size_t i = 0; i < f.u.size(); ++i) f.u[i] = static_cast<uint8_t>(100 + (i * 31) % 40), f.v[i] = static_cast<uint8_t>(90 + (i * 17) % 50);
  EXPECT_NEAR(ms_ssim_yuv420(f, f), 1.0, 1e-12);
  // Distort only Y, then only U: the Y distortion weighs six times as much in the combined score.
  Frame420 gy = f, gu = f;
  for (size_t i = 0; i < f.y.size(); i += 2) gy.y[i] = static_cast<uint8_t>(255 - f.y[i]);
  for (size_t i = 0; i < f.u.size(); i += 2) gu.u[i] = static_cast<uint8_t>(255 - f.u[i]);
  auto view = [](const std::vector<uint8_t>& p, int w, int h) { return ImageView{p.data(), w, h, 1}; };
  const double loss_y = 1 - ms_ssim(view(f.y, f.width, f.height), view(gy.y, f.width, f.height));
  const double loss_u = 1 - ms_ssim(view(f.u, f.chroma_width(), f.chroma_height()), view(gu.u, f.chroma_width(), f.chroma_height()));
  EXPECT_NEAR(1 - ms_ssim_yuv420(f, gy), 6 * loss_y / 8, 1e-12);
  EXPECT_NEAR(1 - ms_ssim_yuv420(f, gu), loss_u / 8, 1e-12);
  Frame420 small;
  small.resize(320, 240);  // chroma 160x120: below MS-SSIM's 176
  EXPECT_THROW(ms_ssim_yuv420(small, small), UsageError);
}

}  // namespace
}  // namespace nicodec::eval
