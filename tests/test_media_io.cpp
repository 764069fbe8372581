// Media I/O: images through OpenCV, audio through libsndfile and FFmpeg (cross-checked), video through FFmpeg.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "core/error.h"
#include "core/file_io.h"
#include "core/media/audio_io.h"
#include "core/media/audio_stream.h"
#include "core/media/image_io.h"
#include "core/media/video_io.h"

namespace nicodec {
namespace {

namespace fs = std::filesystem;
const std::string kSamples = NICODEC_SAMPLES;

class MediaIo : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nicodec_media_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(MediaIo, SampleImageRoundTripsThroughPngAndPpmExactly) {
  Image img = read_image(kSamples + "/citrus-256.png");
  ASSERT_EQ(img.width, 256);
  ASSERT_EQ(img.height, 256);
  for (const char* ext : {".png", ".ppm", ".tif"}) {
    write_image(path(std::string("a") + ext), img);
    Image back = read_image(path(std::string("a") + ext));
    EXPECT_EQ(back.rgb, img.rgb) << ext;
  }
  // Channel order: OpenCV stores BGR; our Image is RGB. Check one pixel against a BGR read.
  cv::Mat bgr = cv::imread(kSamples + "/citrus-256.png", cv::IMREAD_COLOR);
  cv::Vec3b p = bgr.at<cv::Vec3b>(10, 20);
  EXPECT_EQ(img.pixel(20, 10)[0], p[2]);
  EXPECT_EQ(img.pixel(20, 10)[2], p[0]);
}

TEST_F(MediaIo, GraySixteenBitAndAlphaAreConvertedWithNotices) {
  cv::Mat g16(5, 7, CV_16UC1, cv::Scalar(65535));
  g16.at<uint16_t>(0, 0) = 257 * 10;
  cv::imwrite(path("g16.png"), g16);
  std::vector<std::string> notes;
  Image img = read_image(path("g16.png"), &notes);
  EXPECT_EQ(img.width, 7);
  EXPECT_EQ(img.pixel(0, 0)[1], 10);
  EXPECT_EQ(img.pixel(1, 0)[2], 255);
  EXPECT_EQ(notes.size(), 2u);  // 16-bit and grayscale
  cv::Mat bgra(3, 3, CV_8UC4, cv::Scalar(1, 2, 3, 4));
  cv::imwrite(path("a.png"), bgra);
  notes.clear();
  img = read_image(path("a.png"), &notes);
  EXPECT_EQ(img.pixel(2, 2)[0], 3);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("alpha"), std::string::npos);
}

TEST_F(MediaIo, BadImagesGiveClearErrorsAndNoOutput) {
  EXPECT_THROW(read_image(path("missing.png")), Error);
  std::ofstream(path("empty.png")).close();
  EXPECT_THROW(read_image(path("empty.png")), Error);
  std::ofstream(path("text.png")) << "this is not a picture";
  EXPECT_THROW(read_image(path("text.png")), Error);
  EXPECT_THROW(read_image(kSamples + "/speech-16k-3s.wav"), Error);
  Image img;
  img.width = img.height = 2;
  img.rgb.assign(12, 7);
  EXPECT_THROW(write_image(path("noext"), img), Error);
  EXPECT_THROW(write_image(path("x.unknownformat"), img), Error);
  size_t files = 0;
  for (auto& e : fs::directory_iterator(dir_)) files += e.path().filename().string().find(".tmp-") != std::string::npos;
  EXPECT_EQ(files, 0u);
}

TEST_F(MediaIo, LibsndfileAndFfmpegReadTheSameSamples) {
  Audio a = read_audio(kSamples + "/speech-16k-3s.wav");
  Audio b = read_audio_ffmpeg(kSamples + "/speech-16k-3s.wav");
  EXPECT_EQ(a.sample_rate, 16000);
  EXPECT_EQ(a.channels, 1);
  EXPECT_EQ(a.frames(), 48000u);
  ASSERT_EQ(a.samples.size(), b.samples.size());
  for (size_t i = 0; i < a.samples.size(); ++i) ASSERT_NEAR(a.samples[i], b.samples[i], 1e-6) << i;
}

TEST_F(MediaIo, CompressedAudioStreamsInBlocksLikeTheWholeDecode) {
  // AAC in MP4/M4A is beyond libsndfile (which reads WAV, FLAC, Ogg and, here, MP3): AudioReader streams it
  // through FFmpeg a block at a time, and the blocks, joined, are the samples FFmpeg's whole-file decode gives.
  if (std::system("ffmpeg -version >/dev/null 2>&1") != 0) GTEST_SKIP() << "ffmpeg missing";
  for (const char* ext : {".m4a", ".mka"}) {
    const std::string f = path(std::string("speech") + ext);
    ASSERT_EQ(std::system(("ffmpeg -nostdin -loglevel error -y -i " + kSamples + "/speech-16k-3s.wav -ac 2 " + f).c_str()), 0);
    const Audio whole = read_audio_ffmpeg(f);
    AudioReader r(f);
    EXPECT_EQ(r.sample_rate(), whole.sample_rate) << ext;
    EXPECT_EQ(r.channels(), 2) << ext;
    EXPECT_EQ(r.total_frames(), -1) << ext;  // unknown until read
    std::vector<float> joined;
    for (auto b = r.read(1000); !b.empty(); b = r.read(1000)) {
      EXPECT_LE(b.size(), 2000u);
      joined.insert(joined.end(), b.begin(), b.end());
    }
    EXPECT_EQ(joined, whole.samples) << ext;
    EXPECT_GT(whole.frames(), static_cast<size_t>(whole.sample_rate) * 29 / 10) << ext;  // about 3 s
  }
  EXPECT_THROW(AudioReader(path("none.m4a")), Error);
  std::ofstream(path("empty.m4a")).close();
  EXPECT_THROW(AudioReader(path("empty.m4a")), Error);
}

TEST_F(MediaIo, AudioWriteReadAndFormats) {
  Audio a;
  a.sample_rate = 48000;
  a.channels = 2;
  for (int i = 0; i < 4800; ++i) {
    a.samples.push_back(0.5f * std::sin(0.01f * i));
    a.samples.push_back(-0.25f);
  }
  for (const char* ext : {".wav", ".flac"}) {
    write_audio(path(std::string("s") + ext), a);
    Audio b = read_audio(path(std::string("s") + ext));
    ASSERT_EQ(b.samples.size(), a.samples.size());
    EXPECT_EQ(b.channels, 2);
    for (size_t i = 0; i < a.samples.size(); ++i) ASSERT_NEAR(b.samples[i], a.samples[i], 1.0 / 32767) << ext;
  }
  EXPECT_THROW(write_audio(path("s.xyz"), a), Error);
  Audio m = downmix_mono(a);
  EXPECT_EQ(m.channels, 1);
  EXPECT_NEAR(m.samples[100], (a.samples[200] + a.samples[201]) / 2, 1e-7);
}

// Goertzel power at frequency f, normalised by the length.
double tone_power(const std::vector<float>& x, double f, int rate) {
  double w = 2 * M_PI * f / rate, c = 2 * std::cos(w), s1 = 0, s2 = 0;
  for (float v : x) {
    double s = v + c * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return (s1 * s1 + s2 * s2 - c * s1 * s2) / (double(x.size()) * x.size());
}

TEST_F(MediaIo, ResamplingKeepsATonesFrequencyAndLength) {
  Audio a;
  a.sample_rate = 44100;
  a.channels = 1;
  for (int i = 0; i < 44100; ++i) a.samples.push_back(0.8f * static_cast<float>(std::sin(2 * M_PI * 1000.0 * i / 44100)));
  Audio b = resample(a, 16000);
  EXPECT_EQ(b.sample_rate, 16000);
  EXPECT_NEAR(static_cast<double>(b.frames()), 16000.0, 40.0);
  // A 0.8-amplitude sine has Goertzel power 0.16 at its frequency and ~0 elsewhere.
  EXPECT_NEAR(tone_power(b.samples, 1000, 16000), 0.16, 0.01);
  EXPECT_LT(tone_power(b.samples, 1500, 16000), 1e-4);
}

TEST_F(MediaIo, BadAudioFilesGiveClearErrors) {
  EXPECT_THROW(read_audio(path("missing.wav")), Error);
  std::ofstream(path("empty.wav")).close();
  EXPECT_THROW(read_audio(path("empty.wav")), Error);
  std::ofstream(path("junk.wav")) << std::string(1000, 'x');
  EXPECT_THROW(read_audio(path("junk.wav")), Error);
}

TEST_F(MediaIo, Y4mSampleReadsAndRoundTrips) {
  VideoReader r(kSamples + "/cockatoo-160x96.y4m");
  EXPECT_EQ(r.width(), 160);
  EXPECT_EQ(r.height(), 96);
  std::vector<Frame420> frames;
  Frame420 f;
  while (r.read(f)) frames.push_back(f);
  ASSERT_EQ(frames.size(), 6u);
  {
    VideoWriter w(path("out.y4m"), 160, 96, 20, 1);
    for (auto& fr : frames) w.write(fr);
    w.close();
  }
  {
    VideoWriter w(path("out.yuv"), 160, 96);
    for (auto& fr : frames) w.write(fr);
    w.close();
  }
  EXPECT_EQ(fs::file_size(path("out.yuv")), 6u * 160 * 96 * 3 / 2);
  for (const char* name : {"out.y4m", "out.yuv"}) {
    RawVideoOptions raw;
    raw.width = 160;
    raw.height = 96;
    VideoReader r2(path(name), raw);
    size_t k = 0;
    while (r2.read(f)) {
      ASSERT_LT(k, frames.size());
      EXPECT_EQ(f.y, frames[k].y);
      EXPECT_EQ(f.u, frames[k].u);
      EXPECT_EQ(f.v, frames[k].v);
      ++k;
    }
    EXPECT_EQ(k, frames.size()) << name;
  }
}

TEST_F(MediaIo, Mp4AndMkvForViewingHoldTheFramesCloseToTheOriginal) {
  VideoReader r(kSamples + "/cockatoo-160x96.y4m");
  std::vector<Frame420> frames;
  Frame420 f;
  while (r.read(f)) frames.push_back(f);
  for (const char* name : {"view.mp4", "view.mkv"}) {
    {
      VideoWriter w(path(name), 160, 96, 20, 1);
      for (auto& fr : frames) w.write(fr);
      EXPECT_FALSE(fs::exists(path(name))) << "visible before close()";
      w.close();
    }
    VideoReader back(path(name));
    EXPECT_NEAR(back.fps(), 20.0, 1e-6) << name;
    size_t k = 0;
    while (back.read(f)) {
      ASSERT_LT(k, frames.size()) << name;
      double se = 0;
      for (size_t i = 0; i < f.y.size(); ++i) se += (f.y[i] - frames[k].y[i]) * (f.y[i] - frames[k].y[i]);
      EXPECT_GT(10 * std::log10(255.0 * 255.0 * static_cast<double>(f.y.size()) / std::max(se, 1.0)), 36.0) << name << " " << k;
      ++k;
    }
    EXPECT_EQ(k, frames.size()) << name;
  }
  EXPECT_THROW(VideoWriter(path("odd.mp4"), 161, 96, 20, 1), UsageError);  // H.264 4:2:0 needs even sizes
  {
    VideoWriter dropped(path("dropped.mkv"), 160, 96, 20, 1);
    dropped.write(frames[0]);
  }  // never closed: nothing left behind
  for (const auto& e : fs::directory_iterator(dir_)) EXPECT_EQ(e.path().string().find("dropped"), std::string::npos) << e.path();
}

TEST_F(MediaIo, OddFrameSizesKeepCeilChroma) {
  Frame420 f;
  f.resize(33, 17);
  EXPECT_EQ(f.u.size(), 17u * 9);
  for (size_t i = 0; i < f.y.size(); ++i) f.y[i] = static_cast<uint8_t>(i);
  for (size_t i = 0; i < f.u.size(); ++i) f.u[i] = static_cast<uint8_t>(3 * i), f.v[i] = static_cast<uint8_t>(5 * i);
  {
    VideoWriter w(path("odd.y4m"), 33, 17);
    w.write(f);
    w.write(f);
    w.close();
  }
  VideoReader r(path("odd.y4m"));
  Frame420 g;
  ASSERT_TRUE(r.read(g));
  EXPECT_EQ(g.y, f.y);
  EXPECT_EQ(g.u, f.u);
  EXPECT_EQ(g.v, f.v);
}

TEST_F(MediaIo, BadVideoInputsGiveClearErrors) {
  EXPECT_THROW(VideoReader(path("missing.y4m")), Error);
  std::ofstream(path("raw.yuv")) << std::string(1000, 'x');
  EXPECT_THROW(VideoReader(path("raw.yuv")), Error);  // no size given
  std::ofstream(path("junk.mp4")) << std::string(1000, 'x');
  EXPECT_THROW(VideoReader(path("junk.mp4")), Error);
  EXPECT_THROW(VideoReader(kSamples + "/speech-16k-3s.wav"), Error);  // audio only
  {
    VideoWriter w(path("abandoned.y4m"), 16, 16);  // destroyed without close(): leaves nothing
  }
  EXPECT_FALSE(fs::exists(path("abandoned.y4m")));
  size_t tmp = 0;
  for (auto& e : fs::directory_iterator(dir_)) tmp += e.path().filename().string().find(".tmp-") != std::string::npos;
  EXPECT_EQ(tmp, 0u);
}

}  // namespace
}  // namespace nicodec
