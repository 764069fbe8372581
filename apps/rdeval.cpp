// rdeval: rate-distortion evaluation of image codecs over a folder of images, or of speech/audio codecs over a
// folder of 16 kHz clips.
//   rdeval --images data/sets/images-eval --codecs jpeg420,webp,avif444 --out results/kodak-like
//   rdeval --audio data/sets/audio-eval --codecs opus,codec2 --out results/audio
//   rdeval --video data/sets/video-eval --intra-period 32 --out results/video
// Writes rows.csv, cache.jsonl (reruns only do new work), report.md (curves + BD-rates), and PSNR and MS-SSIM
// plots as SVG and PNG.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "core/error.h"
#include "core/file_io.h"
#include "eval/anchors.h"
#include "eval/audio_rd.h"
#include "eval/video_rd.h"
#include "eval/rd_report.h"
#include "eval/rd_runner.h"

namespace {

std::string command_line(int argc, char** argv) {
  std::string command;
  for (int i = 0; i < argc; ++i) command += (i ? " " : "") + std::string(argv[i]);
  return command;
}

std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  for (std::string c; std::getline(ss, c, ',');)
    if (!c.empty()) out.push_back(c);
  return out;
}

// Audio and video runs: rows.csv and report.md in out_dir, the report on stdout; exit 1 if a point failed.
template <class Row>
int finish_media_run(const std::vector<Row>& rows, const std::string& md, const std::string& out_dir,
                     void (*write_csv)(const std::vector<Row>&, const std::string&)) {
  write_csv(rows, (std::filesystem::path(out_dir) / "rows.csv").string());
  nicodec::write_file_atomic((std::filesystem::path(out_dir) / "report.md").string(),
                             reinterpret_cast<const uint8_t*>(md.data()), md.size());
  std::printf("%s\nwrote %s/{rows.csv,report.md} (and plots)\n", md.c_str(), out_dir.c_str());
  size_t errors = 0;
  for (const auto& r : rows) errors += !r.error.empty();
  if (errors) std::fprintf(stderr, "rdeval: %zu points failed (see rows.csv)\n", errors);
  return errors ? 1 : 0;
}

// <stem>.svg and <stem>.png for each plot.
void save_plots(const std::vector<std::pair<std::string, nicodec::eval::PlotSpec>>& plots, const std::string& dir) {
  for (const auto& [stem, spec] : plots) {
    const std::string svg = nicodec::eval::svg_plot(spec);
    nicodec::write_file_atomic((std::filesystem::path(dir) / (stem + ".svg")).string(),
                               reinterpret_cast<const uint8_t*>(svg.data()), svg.size());
    nicodec::eval::png_plot(spec, (std::filesystem::path(dir) / (stem + ".png")).string());
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rdeval: rate-distortion curves and BD-rates of image codecs over a folder of images, or rate vs "
               "mel distance, SI-SDR, STOI and ESTOI of audio codecs over a folder of clips (--audio)"};
  nicodec::eval::RdRunOptions opt;
  std::string codecs = "jpeg420,jpeg444,webp,jpeg2000,jpegxl,avif444,hevc444", reference = "jpeg420";
  bool list = false, quiet = false;
  app.add_option("--images", opt.images_dir, "Folder of images (.png .ppm .jpg .tif .webp .bmp)");
  std::string audio_dir, video_dir;
  int frames = 96, intra_period = -1;
  app.add_option("--video", video_dir,
                 "Instead of images: folder of y4m clips (codecs default to x264-medium,x265-medium,av1; reference "
                 "x265-medium)");
  app.add_option("--frames", frames, "Video: frames per clip (all when shorter)")->capture_default_str();
  app.add_option("--intra-period", intra_period, "Video: intra period, -1 = first frame only")->capture_default_str();
  app.add_option("--audio", audio_dir,
                 "Instead of images: folder of 16 kHz clips named speech-* / music-* (codecs default to opus,codec2 and audiocodec when built)");
  app.add_option("--codecs", codecs, "Comma-separated codecs")->capture_default_str();
  app.add_option("--reference", reference, "Codec the BD-rates are measured against")->capture_default_str();
  app.add_option("--out", opt.out_dir, "Output folder (created)")->default_val("rdeval-out");
  app.add_option("-j,--jobs", opt.jobs, "Parallel encodes")->capture_default_str();
  std::string bpp_targets;
  app.add_option("--bpp", bpp_targets,
                 "Comma-separated target bpp: per image, bisect each codec's setting to the largest file at or below "
                 "the target (instead of the fixed sweep); targets below a codec's lowest rate are reported as such");
  app.add_flag("--list", list, "List the codecs and their settings, then exit");
  app.add_flag("-q,--quiet", quiet, "No progress line");
  CLI11_PARSE(app, argc, argv);
  try {
    if (list) {
      auto all = nicodec::eval::image_anchors();
      for (const auto& a : nicodec::eval::audio_anchors()) all.push_back(a);
      for (const auto& a : nicodec::eval::video_anchors()) all.push_back(a);
      for (const auto& a : all) {
        std::printf("%-9s %s\n          settings:", a.name.c_str(), a.description.c_str());
        for (double p : a.params) std::printf(" %g", p);
        std::printf("%s\n", nicodec::eval::tool_available(a.tool) ? "" : "   (not installed)");
      }
      return 0;
    }
    if (!video_dir.empty()) {
      nicodec::eval::VideoRdOptions vo;
      vo.video_dir = video_dir;
      vo.out_dir = opt.out_dir;
      vo.progress = !quiet;
      vo.frames = frames;
      vo.intra_period = intra_period;
      vo.jobs = opt.jobs;
      if (app.get_option("--codecs")->count() == 0) codecs = "x264-medium,x265-medium,av1";
      if (app.get_option("--reference")->count() == 0) reference = "x265-medium";
      vo.codecs = split_list(codecs);
      const auto rows = nicodec::eval::run_video_rd(vo);
      save_plots(nicodec::eval::video_plots(rows), vo.out_dir);
      return finish_media_run(rows, nicodec::eval::video_markdown_report(rows, reference, command_line(argc, argv)),
                              vo.out_dir, nicodec::eval::write_video_csv);
    }
    if (!audio_dir.empty()) {
      nicodec::eval::AudioRdOptions ao;
      ao.audio_dir = audio_dir;
      ao.out_dir = opt.out_dir;
      ao.progress = !quiet;
      ao.jobs = opt.jobs;
      if (app.get_option("--codecs")->count() == 0) {
        codecs = "opus,codec2";
        for (const auto& a : nicodec::eval::audio_anchors())
          if (a.name == "audiocodec") codecs += ",audiocodec";  // when built and its model is found
      }
      ao.codecs = split_list(codecs);
      const auto rows = nicodec::eval::run_audio_rd(ao);
      save_plots(nicodec::eval::audio_plots(rows), ao.out_dir);
      return finish_media_run(rows, nicodec::eval::audio_markdown_report(rows, command_line(argc, argv)), ao.out_dir,
                              nicodec::eval::write_audio_csv);
    }
    if (opt.images_dir.empty()) throw nicodec::UsageError("--images FOLDER (or --audio FOLDER) is required (try --help)");
    opt.codecs = split_list(codecs);
    opt.progress = !quiet;
    std::stringstream bs(bpp_targets);
    for (std::string t; std::getline(bs, t, ',');) {
      char* end = nullptr;
      const double v = std::strtod(t.c_str(), &end);
      if (t.empty() || *end || !(v > 0)) throw nicodec::UsageError("--bpp takes positive numbers, e.g. --bpp 0.05,0.25");
      opt.target_bpp.push_back(v);
    }
    const auto rows = nicodec::eval::run_rd(opt);
    if (!opt.target_bpp.empty()) {  // per-target table: each codec's mean quality at its bisected settings
      std::printf("| codec | target bpp | images fitting | mean bpp | mean PSNR dB | mean MS-SSIM |\n|---|---|---|---|---|---|\n");
      for (const auto& c : opt.codecs)
        for (double t : opt.target_bpp) {
          int n = 0, fit = 0;
          double b = 0, p = 0, m = 0;
          for (const auto& r : rows)
            if (r.codec == c && r.target_bpp == t) {
              ++n;
              if (r.error.empty()) ++fit, b += r.bpp, p += r.psnr, m += r.ms_ssim;
            }
          if (fit) std::printf("| %s | %g | %d/%d | %.4f | %.2f | %.4f |\n", c.c_str(), t, fit, n, b / fit, p / fit, m / fit);
          else std::printf("| %s | %g | 0/%d | - | - | - |\n", c.c_str(), t, n);
        }
      nicodec::eval::write_csv(rows, (std::filesystem::path(opt.out_dir) / "rows.csv").string());
      return 0;
    }
    const auto curves = nicodec::eval::mean_curves(rows);
    const std::string command = command_line(argc, argv);
    const std::filesystem::path out(opt.out_dir);
    nicodec::eval::write_csv(rows, (out / "rows.csv").string());
    const std::string md = nicodec::eval::markdown_report(curves, reference, command);
    auto save = [&](const std::string& name, const std::string& text) {
      nicodec::write_file_atomic((out / name).string(), reinterpret_cast<const uint8_t*>(text.data()), text.size());
    };
    save("report.md", md);
    const auto psnr = nicodec::eval::rd_plot_spec(curves, false, "PSNR vs rate");
    const auto msssim = nicodec::eval::rd_plot_spec(curves, true, "MS-SSIM vs rate");
    save("psnr.svg", nicodec::eval::svg_plot(psnr));
    save("msssim.svg", nicodec::eval::svg_plot(msssim));
    nicodec::eval::png_plot(psnr, (out / "psnr.png").string());
    nicodec::eval::png_plot(msssim, (out / "msssim.png").string());
    std::printf("%s\nwrote %s/{rows.csv,report.md,psnr.svg,msssim.svg,psnr.png,msssim.png}\n", md.c_str(), opt.out_dir.c_str());
    size_t errors = 0;
    for (const auto& r : rows) errors += !r.error.empty();
    if (errors) std::fprintf(stderr, "rdeval: %zu points failed (see rows.csv)\n", errors);
    return errors ? 1 : 0;
  } catch (const nicodec::Error& e) {
    std::fprintf(stderr, "rdeval: error: %s\n", e.what());
    return 1;
  }
}
