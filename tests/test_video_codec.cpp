// vidcodec (intra-only): round trip through y4m, the rate cap, odd sizes, determinism, broken files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "codecs/image/model_io.h"
#include "codecs/video/intra_codec.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/media/video_io.h"
#include "eval/video_metrics.h"

namespace nicodec::codecs::video {
namespace {

namespace fs = std::filesystem;

const image::ImageCodec& codec() {
  static const image::ImageCodec c(image::load_model(std::string(NICODEC_MODELS) + "/nicodec-image-v1.nicm"));
  return c;
}

struct Dir {
  fs::path p = fs::temp_directory_path() / ("nicodec_vid_" + std::to_string(::getpid()));
  Dir() { fs::create_directories(p); }
  ~Dir() { fs::remove_all(p); }
  std::string operator/(const std::string& name) const { return (p / name).string(); }
};

const std::string kClip = std::string(NICODEC_SAMPLES) + "/cockatoo-160x96.y4m";  // 6 frames, 20 fps

double mean_psnr(const std::string& a, const std::string& b, int* frames) {
  VideoReader ra(a), rb(b);
  Frame420 fa, fb;
  double sum = 0;
  *frames = 0;
  while (ra.read(fa)) {
    EXPECT_TRUE(rb.read(fb));
    sum += eval::psnr_yuv420(fa, fb).yuv;
    ++*frames;
  }
  EXPECT_FALSE(rb.read(fb));
  return sum / *frames;
}

TEST(VidcodecIntra, RoundTripIsDeterministicAndLooksLikeTheClip) {
  Dir d;
  IntraEncodeOptions o;
  o.q = 6;
  const auto r = encode_intra_video(codec(), kClip, d / "a.nvc", o);
  EXPECT_EQ(r.frames, 6);
  EXPECT_EQ(r.bytes, static_cast<int64_t>(fs::file_size(d / "a.nvc")));
  const auto bytes = read_file(d / "a.nvc");
  const auto dr = decode_intra_video(codec(), bytes, d / "a.y4m");
  EXPECT_EQ(dr.frames, 6);
  EXPECT_EQ(dr.fps_num, 20);
  EXPECT_EQ(dr.fps_den, 1);
  int frames = 0;
  EXPECT_GT(mean_psnr(kClip, d / "a.y4m", &frames), 27.0);
  EXPECT_EQ(frames, 6);
  decode_intra_video(codec(), bytes, d / "b.y4m");
  EXPECT_EQ(read_file(d / "a.y4m"), read_file(d / "b.y4m"));
  // A second encode writes the same file.
  encode_intra_video(codec(), kClip, d / "c.nvc", o);
  EXPECT_EQ(read_file(d / "c.nvc"), bytes);
}

TEST(VidcodecIntra, RateCapHoldsForTheWholeFile) {
  Dir d;
  for (double kbps : {60.0, 150.0, 400.0}) {
    IntraEncodeOptions o;
    o.kbps = kbps;
    const auto r = encode_intra_video(codec(), kClip, d / "k.nvc", o);
    const double budget = kbps * 1000 / 8 * (6.0 / 20.0);
    EXPECT_LE(static_cast<double>(fs::file_size(d / "k.nvc")), budget) << kbps;
    EXPECT_GT(static_cast<double>(fs::file_size(d / "k.nvc")), 0.8 * budget) << kbps;  // and uses it
    EXPECT_LE(r.kbps, kbps);
  }
  IntraEncodeOptions low;
  low.kbps = 2;  // far below one intra picture per frame
  EXPECT_THROW(encode_intra_video(codec(), kClip, d / "x.nvc", low), Error);
  EXPECT_FALSE(fs::exists(d / "x.nvc"));
}

TEST(VidcodecIntra, OddSizesAndFrameCounts) {
  if (std::system("ffmpeg -version >/dev/null 2>&1") != 0) GTEST_SKIP() << "ffmpeg missing";
  Dir d;
  ASSERT_EQ(std::system(("ffmpeg -nostdin -loglevel error -y -i " + kClip + " -vf scale=37:23 -frames:v 3 " + (d / "odd.y4m")).c_str()), 0);
  IntraEncodeOptions o;
  const auto r = encode_intra_video(codec(), d / "odd.y4m", d / "odd.nvc", o);
  EXPECT_EQ(r.width, 37);
  EXPECT_EQ(r.height, 23);
  EXPECT_EQ(r.frames, 3);
  decode_intra_video(codec(), read_file(d / "odd.nvc"), d / "odd-dec.y4m");
  int frames = 0;
  EXPECT_GT(mean_psnr(d / "odd.y4m", d / "odd-dec.y4m", &frames), 20.0);
  EXPECT_EQ(frames, 3);
  o.max_frames = 2;
  EXPECT_EQ(encode_intra_video(codec(), kClip, d / "two.nvc", o).frames, 2);
}

TEST(VidcodecIntra, BrokenFilesFailCleanly) {
  Dir d;
  IntraEncodeOptions o;
  o.max_frames = 2;
  encode_intra_video(codec(), kClip, d / "a.nvc", o);
  const auto good = read_file(d / "a.nvc");
  for (size_t n = 0; n < good.size(); n += n < 48 ? 3 : 97) {
    const std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_THROW(decode_intra_video(codec(), cut, d / "t.y4m"), Error) << n;
    EXPECT_FALSE(fs::exists(d / "t.y4m"));
  }
  for (size_t i = 0; i < good.size(); i += i < 48 ? 2 : 89) {
    auto bad = good;
    bad[i] ^= 0x20;
    EXPECT_THROW(decode_intra_video(codec(), bad, d / "t.y4m"), Error) << i;
  }
  auto extra = good;
  extra.push_back(1);
  EXPECT_THROW(decode_intra_video(codec(), extra, d / "t.y4m"), FormatError);
}

}  // namespace
}  // namespace nicodec::codecs::video
