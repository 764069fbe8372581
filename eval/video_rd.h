// Runs video codecs (eval/anchors.h video_anchors) over a folder of y4m clips, UVG-style: the first N frames,
// one intra period, a CRF sweep; each point measured as bpp (whole stream bits / pixels of all frames), kbit/s,
// PSNR-YUV and MS-SSIM-YUV (6:1:1, eval/video_metrics.h), and BD-rates per clip against a reference codec.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "eval/anchors.h"
#include "eval/rd_plot.h"

namespace nicodec::eval {

struct VideoRdRow {
  std::string clip, codec;
  double param = 0;
  int width = 0, height = 0, frames = 0;
  double fps = 0;
  size_t bytes = 0;
  double bpp = 0, kbps = 0, psnr_yuv = 0, psnr_y = 0, ms_ssim_yuv = 0, encode_s = 0, decode_s = 0;  // ms_ssim NaN if too small
  std::string error;
};

struct VideoRdOptions {
  std::string video_dir, out_dir;
  std::vector<std::string> codecs;
  int frames = 96;          // per clip, or all when shorter
  int intra_period = -1;    // -1: only the first frame
  int jobs = 1;             // points measured in parallel (each tool may use threads of its own)
  bool progress = true;
};

// Measured points are cached in <out_dir>/video-cache.tsv (keyed by the clip's name, size and time, the frame
// count, the intra period, the codec's commands and the setting): a rerun only runs what changed.
std::vector<VideoRdRow> run_video_rd(const VideoRdOptions& opt);
// One plot per clip: PSNR-YUV against kbit/s, a series per codec. Returns (file stem, plot) pairs.
std::vector<std::pair<std::string, PlotSpec>> video_plots(const std::vector<VideoRdRow>& rows);
void write_video_csv(const std::vector<VideoRdRow>& rows, const std::string& path);
// Per clip and codec the points; then BD-rate (PSNR-YUV and MS-SSIM-YUV) against `reference`, per clip and
// averaged over clips.
std::string video_markdown_report(const std::vector<VideoRdRow>& rows, const std::string& reference,
                                  const std::string& command);

}  // namespace nicodec::eval
