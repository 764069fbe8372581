// RD report logic on synthetic rows, and one real anchor run (JPEG through cjpeg/djpeg) with its cache.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/media/image_io.h"
#include "eval/anchors.h"
#include "eval/audio_rd.h"
#include "eval/video_rd.h"
#include "core/media/audio_io.h"
#include "eval/rd_report.h"
#include "eval/rd_runner.h"

namespace nicodec::eval {
namespace {

namespace fs = std::filesystem;

RdRow row(const std::string& img, const std::string& codec, double param, double bpp, double psnr) {
  RdRow r;
  r.image = img, r.codec = codec, r.param = param, r.bpp = bpp, r.psnr = psnr, r.psnr_y = psnr, r.ms_ssim = 0.99;
  return r;
}

TEST(RdReport, MeanCurvesAverageOverImagesAndSkipIncompleteSettings) {
  std::vector<RdRow> rows = {row("a", "x", 1, 0.2, 30), row("b", "x", 1, 0.4, 32), row("a", "x", 2, 0.8, 36),
                             row("b", "x", 2, 1.0, 38), row("a", "x", 3, 2.0, 40)};  // setting 3 lacks image b
  auto bad = row("b", "x", 3, 2.2, 41);
  bad.error = "encoder failed";
  rows.push_back(bad);
  auto curves = mean_curves(rows);
  ASSERT_EQ(curves.size(), 1u);
  ASSERT_EQ(curves[0].points.size(), 2u);
  EXPECT_DOUBLE_EQ(curves[0].points[0].bpp, 0.3);
  EXPECT_DOUBLE_EQ(curves[0].points[0].psnr, 31);
  EXPECT_DOUBLE_EQ(curves[0].points[1].psnr, 37);
  EXPECT_NEAR(curves[0].points[0].ms_ssim_db, 20.0, 1e-9);
}

TEST(RdReport, ReportCarriesTheBdRateOfTheCurves) {
  // y spends 80% of x's bits at every quality: BD-rate -20%.
  std::vector<RdRow> rows;
  const double bpp[] = {0.1, 0.3, 0.9, 2.0}, q[] = {28, 32, 36, 40};
  for (int i = 0; i < 4; ++i) {
    rows.push_back(row("a", "x", i, bpp[i], q[i]));
    rows.push_back(row("a", "y", i, 0.8 * bpp[i], q[i]));
  }
  const std::string md = markdown_report(mean_curves(rows), "x", "rdeval --test");
  EXPECT_NE(md.find("| y | -20.0%"), std::string::npos) << md;
  EXPECT_NE(md.find("rdeval --test"), std::string::npos);
  const std::string svg = svg_plot(rd_plot_spec(mean_curves(rows), false, "t"));
  EXPECT_NE(svg.find("<polyline"), std::string::npos);
  EXPECT_NE(svg.find("PSNR (dB)"), std::string::npos);
  const PlotRange r = plot_range(rd_plot_spec(mean_curves(rows), false, "t"));
  EXPECT_FALSE(r.empty);
  EXPECT_DOUBLE_EQ(r.x0, -1.5);  // log10(0.08) = -1.1 rounded out to the half decade
  EXPECT_DOUBLE_EQ(r.x1, 0.5);   // log10(2) = 0.3
  EXPECT_DOUBLE_EQ(r.y_step, 2);  // 12 dB in steps of 2
  EXPECT_DOUBLE_EQ(r.y0, 28);
  EXPECT_DOUBLE_EQ(r.y1, 40);
  EXPECT_TRUE(plot_range(PlotSpec{}).empty);
  // Fractional qualities (STOI 0.61 .. 0.93) get fractional ticks: step 0.05, range 0.6 .. 0.95.
  const PlotRange f = plot_range(PlotSpec{"t", "x", "y", {{"a", {{1.0, 0.61}, {10.0, 0.93}}}}});
  EXPECT_NEAR(f.y_step, 0.05, 1e-12);
  EXPECT_NEAR(f.y0, 0.6, 1e-12);
  EXPECT_NEAR(f.y1, 0.95, 1e-12);
  const std::string png = (std::filesystem::temp_directory_path() / ("nicodec_plot_" + std::to_string(::getpid()) + ".png")).string();
  png_plot(rd_plot_spec(mean_curves(rows), true, "t"), png);
  const Image img = read_image(png);
  std::filesystem::remove(png);
  EXPECT_EQ(img.width, 1080);
  EXPECT_EQ(img.height, 720);
}

// A JPEG run over the 256x256 sample photo, in a fresh folder `dir` (in/ holds the photo, out/ the results).
RdRunOptions jpeg_run(const fs::path& dir) {
  fs::create_directories(dir / "in");
  fs::copy_file(std::string(NICODEC_SAMPLES) + "/citrus-256.png", dir / "in" / "citrus.png");
  RdRunOptions opt;
  opt.images_dir = (dir / "in").string();
  opt.out_dir = (dir / "out").string();
  opt.codecs = {"jpeg420"};
  opt.progress = false;
  return opt;
}

TEST(RdRunner, RealJpegRunIsCachedAndMeasuresWhatTheToolWrote) {
  if (!tool_available("cjpeg")) GTEST_SKIP() << "cjpeg missing: scripts/install_deps.sh installs it";
  const fs::path dir = fs::temp_directory_path() / ("nicodec_rd_" + std::to_string(::getpid()));
  RdRunOptions opt = jpeg_run(dir);
  auto rows = run_rd(opt);
  ASSERT_EQ(rows.size(), find_anchor("jpeg420").params.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_TRUE(rows[i].error.empty()) << rows[i].error;
    EXPECT_NEAR(rows[i].bpp, 8.0 * rows[i].bytes / (256.0 * 256.0), 1e-12);
    if (i) {
      EXPECT_GT(rows[i].psnr, rows[i - 1].psnr);  // higher quality setting, higher PSNR
    }
  }
  // A rerun measures nothing new and returns the same rows.
  const auto cache_size = fs::file_size(dir / "out" / "cache.jsonl");
  auto again = run_rd(opt);
  EXPECT_EQ(fs::file_size(dir / "out" / "cache.jsonl"), cache_size);
  ASSERT_EQ(again.size(), rows.size());
  EXPECT_EQ(again[3].bytes, rows[3].bytes);
  // A point whose tool failed is measured again on the next run (not reused from the cache).
  {
    std::ifstream in(dir / "out" / "cache.jsonl");
    std::string first, rest, line;
    std::getline(in, first);
    while (std::getline(in, line)) rest += line + "\n";
    in.close();
    const auto pos = first.find("\"error\":\"\"");
    ASSERT_NE(pos, std::string::npos) << first;
    std::ofstream out(dir / "out" / "cache.jsonl", std::ios::trunc);
    out << first.replace(pos, 10, "\"error\":\"encoder failed\"") << "\n" << rest;
  }
  const auto with_failure = fs::file_size(dir / "out" / "cache.jsonl");
  auto third = run_rd(opt);
  EXPECT_GT(fs::file_size(dir / "out" / "cache.jsonl"), with_failure);
  for (const auto& r : third) EXPECT_TRUE(r.error.empty()) << r.error;
  opt.codecs = {"jpeg9000"};
  EXPECT_THROW(run_rd(opt), UsageError);
  opt.codecs = {"jpeg420"};
  opt.images_dir = (dir / "missing").string();
  EXPECT_THROW(run_rd(opt), Error);
  fs::remove_all(dir);
}

TEST(RdRunner, TargetModeFindsTheLargestFileUnderTheTargetOrSaysItIsOutOfReach) {
  if (!tool_available("cjpeg")) GTEST_SKIP() << "cjpeg missing: scripts/install_deps.sh installs it";
  const fs::path dir = fs::temp_directory_path() / ("nicodec_rd_target_" + std::to_string(::getpid()));
  RdRunOptions opt = jpeg_run(dir);
  opt.target_bpp = {0.001, 0.8};
  const auto rows = run_rd(opt);
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& r : rows) {
    if (r.target_bpp == 0.001) {  // no JPEG is that small: reported with the lowest setting's size, no quality
      EXPECT_NE(r.error.find("below the lowest rate"), std::string::npos) << r.error;
      EXPECT_GT(r.bpp, 0.001);
      EXPECT_TRUE(std::isnan(r.psnr));
    } else {  // at or under the target, and bisection lands close to it (quality steps are a few % of size)
      EXPECT_TRUE(r.error.empty()) << r.error;
      EXPECT_LE(r.bpp, 0.8);
      EXPECT_GT(r.bpp, 0.8 * 0.85);
      EXPECT_NEAR(r.bpp, 8.0 * r.bytes / (256.0 * 256.0), 1e-12);
      EXPECT_GT(r.psnr, 20.0);
    }
  }
  fs::remove_all(dir);
}

TEST(AudioRd, BestLagFindsAKnownShift) {
  std::vector<float> ref(4000), est(4000, 0.0f);
  uint32_t x = 1;
  for (auto& v : ref) v = static_cast<float>((x = x * 1664525u + 1013904223u) >> 8) / 16777216.0f - 0.5f;
  for (size_t i = 0; i + 37 < ref.size(); ++i) est[i + 37] = 0.5f * ref[i];  // delayed by 37 samples
  EXPECT_EQ(best_lag(ref, est, 100), 37);
  EXPECT_EQ(best_lag(est, ref, 100), -37);
}

TEST(AudioRd, RealOpusAndCodec2RunsMeasureTheFilesTheyWrote) {
  if (!tool_available("ffmpeg")) GTEST_SKIP() << "ffmpeg missing: scripts/install_deps.sh installs it";
  const fs::path dir = fs::temp_directory_path() / ("nicodec_ard_" + std::to_string(::getpid()));
  fs::create_directories(dir / "in");
  fs::copy_file(std::string(NICODEC_SAMPLES) + "/speech-16k-3s.wav", dir / "in" / "speech-01-sample.wav");
  AudioRdOptions opt;
  opt.audio_dir = (dir / "in").string();
  opt.out_dir = (dir / "out").string();
  opt.codecs = {"opus", "codec2"};
  opt.progress = false;
  opt.jobs = 2;
  const auto rows = run_audio_rd(opt);
  ASSERT_EQ(rows.size(), find_audio_anchor("opus").params.size() + find_audio_anchor("codec2").params.size());
  for (const auto& r : rows) {
    ASSERT_TRUE(r.error.empty()) << r.codec << " " << r.param << ": " << r.error;
    EXPECT_EQ(r.category, "speech");
    EXPECT_NEAR(r.kbps, 8.0 * static_cast<double>(r.bytes) / 3.0 / 1000.0, 1e-9);
    // Files land near the asked rate (Ogg and .c2 headers add a little; Opus VBR wanders on 3 s).
    const double nominal = r.codec == "opus" ? r.param : r.param / 1000.0;
    EXPECT_GT(r.kbps, 0.7 * nominal) << r.codec << " " << r.param;
    EXPECT_LT(r.kbps, 1.5 * nominal) << r.codec << " " << r.param;
    EXPECT_GT(r.stoi, 0.5);
  }
  // More bits, better speech: Opus at 24 kbit/s beats Codec2 at 700 bit/s on every metric.
  const auto& hi = rows[find_audio_anchor("opus").params.size() - 1];
  const auto& lo = rows[find_audio_anchor("opus").params.size()];
  EXPECT_LT(hi.mel, lo.mel);
  EXPECT_GT(hi.stoi, lo.stoi);
  EXPECT_GT(hi.estoi, lo.estoi);
  EXPECT_GT(hi.si_sdr, lo.si_sdr);
  for (const auto& r : rows) EXPECT_GT(r.decode_seconds, 0.0);
  const auto plots = audio_plots(rows);
  ASSERT_EQ(plots.size(), 2u);  // speech: mel and STOI
  EXPECT_EQ(plots[1].first, "speech-stoi");
  ASSERT_EQ(plots[1].second.series.size(), 2u);  // codec2, opus
  EXPECT_EQ(plots[1].second.series[1].points.size(), find_audio_anchor("opus").params.size());
  // A rerun takes every row from the cache: the same numbers, and no tool runs (the coded files are gone).
  for (const auto& e : fs::directory_iterator(dir / "out" / "work"))
    if (e.path().extension() != ".log") fs::remove(e.path());
  const auto again = run_audio_rd(opt);
  ASSERT_EQ(again.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(again[i].bytes, rows[i].bytes);
    EXPECT_DOUBLE_EQ(again[i].mel, rows[i].mel);
    EXPECT_DOUBLE_EQ(again[i].si_sdr, rows[i].si_sdr);
    EXPECT_NEAR(again[i].stoi, rows[i].stoi, 1e-6);
  }
  for (const auto& e : fs::directory_iterator(dir / "out" / "work"))
    EXPECT_NE(e.path().extension(), ".opus") << "a cached row was rerun";
  fs::remove_all(dir);
}

TEST(VideoRd, RealX264RunMeasuresTheStreamItWrote) {
  if (!tool_available("ffmpeg")) GTEST_SKIP() << "ffmpeg missing: scripts/install_deps.sh installs it";
  const fs::path dir = fs::temp_directory_path() / ("nicodec_vrd_" + std::to_string(::getpid()));
  fs::create_directories(dir / "in");
  fs::copy_file(std::string(NICODEC_SAMPLES) + "/cockatoo-160x96.y4m", dir / "in" / "cockatoo.y4m");
  VideoRdOptions opt;
  opt.video_dir = (dir / "in").string();
  opt.out_dir = (dir / "out").string();
  opt.codecs = {"x264-medium", "x265-medium"};
  opt.frames = 4;
  opt.intra_period = 2;
  opt.progress = false;
  const auto rows = run_video_rd(opt);
  ASSERT_EQ(rows.size(), 8u);
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    ASSERT_TRUE(r.error.empty()) << r.codec << " " << r.param << ": " << r.error;
    EXPECT_EQ(r.frames, 4);
    EXPECT_NEAR(r.bpp, 8.0 * static_cast<double>(r.bytes) / (160.0 * 96.0 * 4.0), 1e-12);
    EXPECT_TRUE(std::isnan(r.ms_ssim_yuv));  // 80x48 chroma: too small for MS-SSIM
    if (i % 4) {
      EXPECT_LT(r.psnr_yuv, rows[i - 1].psnr_yuv);  // higher CRF, lower quality and rate
      EXPECT_LT(r.bytes, rows[i - 1].bytes);
    }
  }
  const std::string md = video_markdown_report(rows, "x265-medium", "test");
  EXPECT_NE(md.find("| x264-medium | PSNR-YUV |"), std::string::npos) << md;
  for (const auto& r : rows) EXPECT_GT(r.decode_s, 0.0);
  const auto plots = video_plots(rows);
  ASSERT_EQ(plots.size(), 1u);
  EXPECT_EQ(plots[0].second.series.size(), 2u);
  // Rerun: every point from the cache (nothing is encoded: the work folder stays empty of streams).
  fs::remove_all(dir / "out" / "work");
  const auto again = run_video_rd(opt);
  ASSERT_EQ(again.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(again[i].bytes, rows[i].bytes);
    EXPECT_DOUBLE_EQ(again[i].psnr_yuv, rows[i].psnr_yuv);
  }
  for (const auto& e : fs::directory_iterator(dir / "out" / "work")) EXPECT_EQ(e.path().extension(), ".log") << e.path();
  // Two points at a time, into a fresh folder: the same rows in the same order (each job owns its row and files).
  opt.jobs = 2;
  opt.out_dir = (dir / "out-j2").string();
  const auto parallel = run_video_rd(opt);
  ASSERT_EQ(parallel.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(parallel[i].codec, rows[i].codec);
    EXPECT_EQ(parallel[i].param, rows[i].param);
    EXPECT_EQ(parallel[i].bytes, rows[i].bytes) << i;
    EXPECT_DOUBLE_EQ(parallel[i].psnr_yuv, rows[i].psnr_yuv) << i;
  }
  opt.jobs = 0;
  EXPECT_THROW(run_video_rd(opt), UsageError);
  opt.jobs = 1;
  opt.out_dir = (dir / "out").string();
  opt.frames = 3;  // another frame count is another key
  EXPECT_EQ(run_video_rd(opt).size(), 8u);
  opt.intra_period = 0;
  EXPECT_THROW(run_video_rd(opt), UsageError);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace nicodec::eval
