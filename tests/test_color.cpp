// BT.709 RGB <-> YUV 4:2:0 (core/media/color.h) against FFmpeg's swscale with the same matrix and range, and
// a round trip. Skipped where ffmpeg is missing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "core/media/color.h"

namespace nicodec {
namespace {

namespace fs = std::filesystem;

double plane_psnr(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  double se = 0;
  for (size_t i = 0; i < a.size(); ++i) se += (a[i] - b[i]) * (a[i] - b[i]);
  return se == 0 ? 99 : 10 * std::log10(255.0 * 255.0 * static_cast<double>(a.size()) / se);
}

TEST(ColorBt709, MatchesFfmpegBothWays) {
  if (std::system("ffmpeg -version >/dev/null 2>&1") != 0) GTEST_SKIP() << "ffmpeg missing";
  const std::string png = std::string(NICODEC_SAMPLES) + "/citrus-256.png";
  const fs::path dir = fs::temp_directory_path() / ("nicodec_color_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string y4m = (dir / "ff.y4m").string(), back = (dir / "ff-back.png").string();
  ASSERT_EQ(std::system(("ffmpeg -nostdin -loglevel error -y -i " + png +
                         " -vf scale=out_color_matrix=bt709:out_range=tv:flags=accurate_rnd+full_chroma_int"
                         " -pix_fmt yuv420p " + y4m).c_str()), 0);
  const Image rgb = read_image(png);
  const Frame420 ours = rgb_to_yuv420_bt709(rgb);
  Frame420 ff;
  {
    VideoReader r(y4m);
    ASSERT_TRUE(r.read(ff));
  }
  // Luma: the same formula, so equal up to rounding.
  int worst = 0;
  for (size_t i = 0; i < ours.y.size(); ++i) worst = std::max(worst, std::abs(ours.y[i] - ff.y[i]));
  EXPECT_LE(worst, 1);
  // Chroma: same matrix, slightly different downsampling filters.
  EXPECT_GT(plane_psnr(ours.u, ff.u), 38.0);
  EXPECT_GT(plane_psnr(ours.v, ff.v), 38.0);
  // And back: our YUV -> RGB against FFmpeg's on the same YUV frame.
  ASSERT_EQ(std::system(("ffmpeg -nostdin -loglevel error -y -i " + y4m +
                         " -vf scale=in_color_matrix=bt709:in_range=tv:flags=accurate_rnd+full_chroma_int"
                         " -pix_fmt rgb24 " + back).c_str()), 0);
  const Image ff_rgb = read_image(back), our_rgb = yuv420_to_rgb_bt709(ff);
  EXPECT_GT(plane_psnr(our_rgb.rgb, ff_rgb.rgb), 38.0);
  fs::remove_all(dir);
}

TEST(ColorBt709, RoundTripAndTheMatrixMatters) {
  const Image rgb = read_image(std::string(NICODEC_SAMPLES) + "/citrus-256.png");
  const Image back = yuv420_to_rgb_bt709(rgb_to_yuv420_bt709(rgb));
  // 4:2:0 loses chroma detail, so not exact, but close on a photo.
  EXPECT_GT(plane_psnr(rgb.rgb, back.rgb), 30.0);
  // Decoding with BT.601's matrix instead (the classic mistake) is far worse: that is what the care buys.
  Frame420 f = rgb_to_yuv420_bt709(rgb);
  Image wrong = back;
  for (int y = 0; y < rgb.height; ++y)
    for (int x = 0; x < rgb.width; ++x) {
      const size_t c = static_cast<size_t>(y / 2) * f.chroma_width() + x / 2;
      const double l = (f.y[static_cast<size_t>(y) * rgb.width + x] - 16.0) / 219.0;
      const double cb = (f.u[c] - 128.0) / 224.0, cr = (f.v[c] - 128.0) / 224.0;
      const double r = l + 1.402 * cr, b = l + 1.772 * cb, g = (l - 0.299 * r - 0.114 * b) / 0.587;
      uint8_t* q = wrong.pixel(x, y);
      q[0] = static_cast<uint8_t>(std::clamp<long>(std::lround(255 * r), 0, 255));
      q[1] = static_cast<uint8_t>(std::clamp<long>(std::lround(255 * g), 0, 255));
      q[2] = static_cast<uint8_t>(std::clamp<long>(std::lround(255 * b), 0, 255));
    }
  EXPECT_GT(plane_psnr(rgb.rgb, back.rgb), plane_psnr(rgb.rgb, wrong.rgb) + 1.0);
  // Neutral greys stay neutral and map to the standard code values.
  Image grey;
  grey.width = grey.height = 2;
  grey.rgb = {0, 0, 0, 255, 255, 255, 0, 0, 0, 255, 255, 255};
  const Frame420 g = rgb_to_yuv420_bt709(grey);
  EXPECT_EQ(g.y[0], 16);
  EXPECT_EQ(g.y[1], 235);
  EXPECT_EQ(g.u[0], 128);
  EXPECT_EQ(g.v[0], 128);
}

}  // namespace
}  // namespace nicodec
