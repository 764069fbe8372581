// The lossless codec end to end: exact round trips on a photo, noise, odd and tiny sizes; damaged files.
#include <gtest/gtest.h>

#include <random>

#include "codecs/lossless/lossless_image.h"
#include "core/container.h"
#include "core/error.h"
#include "core/file_io.h"

namespace nicodec {
namespace {

Image random_image(int w, int h, uint32_t seed, int noise) {
  std::mt19937 rng(seed);
  Image img;
  img.width = w;
  img.height = h;
  img.rgb.resize(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int k = 0; k < 3; ++k) {
        int v = (x * 3 + y * 2 + k * 40) % 256 + static_cast<int>(rng() % (2 * noise + 1)) - noise;
        img.pixel(x, y)[k] = static_cast<uint8_t>(std::min(255, std::max(0, v)));
      }
  return img;
}

TEST(Lossless, PhotoRoundTripsExactlyAndBeatsItsPng) {
  const auto png = read_file(std::string(NICODEC_SAMPLES) + "/citrus-256.png");
  Image img = read_image(std::string(NICODEC_SAMPLES) + "/citrus-256.png");
  auto bytes = lossless::encode(img);
  EXPECT_EQ(lossless::decode(bytes).rgb, img.rgb);
  EXPECT_LT(bytes.size(), png.size());
}

TEST(Lossless, SizesFromOnePixelUpAndPureNoise) {
  for (auto [w, h] : {std::pair{1, 1}, {1, 7}, {9, 1}, {3, 3}, {33, 17}, {128, 5}}) {
    Image img = random_image(w, h, static_cast<uint32_t>(w * 100 + h), 3);
    EXPECT_EQ(lossless::decode(lossless::encode(img)).rgb, img.rgb) << w << "x" << h;
  }
  Image noise = random_image(64, 64, 1, 255);  // incompressible extremes, all 0 and 255 clipping
  EXPECT_EQ(lossless::decode(lossless::encode(noise)).rgb, noise.rgb);
  Image plane;  // a plane: MED predicts a + b - c exactly, so it costs a small fraction of a bit per sample
  plane.width = 120;  // x + y + 20 stays below 256
  plane.height = 100;
  plane.rgb.resize(120 * 100 * 3);
  for (int y = 0; y < 100; ++y)
    for (int x = 0; x < 120; ++x)
      for (int k = 0; k < 3; ++k) plane.pixel(x, y)[k] = static_cast<uint8_t>(x + y + 10 * k);
  auto bytes = lossless::encode(plane);
  EXPECT_EQ(lossless::decode(bytes).rgb, plane.rgb);
  EXPECT_LT(bytes.size(), 120u * 100 * 3 / 8 / 20);  // under 0.05 bits per sample
}

TEST(Lossless, DamagedAndForeignFilesAreRejected) {
  Image img = random_image(40, 30, 3, 5);
  const auto bytes = lossless::encode(img);
  for (size_t cut : {size_t{0}, size_t{5}, bytes.size() / 2, bytes.size() - 1})
    EXPECT_THROW(lossless::decode(std::vector<uint8_t>(bytes.begin(), bytes.begin() + cut)), FormatError);
  std::mt19937 rng(4);
  for (int i = 0; i < 50; ++i) {
    auto bad = bytes;
    bad[rng() % bad.size()] ^= 0x04;
    EXPECT_THROW(lossless::decode(bad), FormatError);  // the container CRC catches it
  }
  Container other;
  other.codec = CodecKind::kAudio;
  other.model = "x";
  EXPECT_THROW(lossless::decode(write_container(other)), FormatError);
  // A well-formed container that claims a huge image but carries a few bytes: refused before allocating.
  Container huge;
  huge.codec = CodecKind::kImage;
  huge.model = lossless::kModelId;
  huge.model_version = lossless::kModelVersion;
  huge.set_param("w", 65536);
  huge.set_param("h", 65536);
  huge.add_section("residuals", std::vector<uint8_t>(8, 0));
  EXPECT_THROW(lossless::decode(write_container(huge)), FormatError);
}

}  // namespace
}  // namespace nicodec
