// Runs codecs over a folder of images at a sweep of settings and measures every point: file size, bpp, PSNR
// (RGB and Y), SSIM, MS-SSIM, encode and decode time. Results are cached in a JSON-lines file keyed by image
// content, codec, setting and command, so a rerun only does new work.
#pragma once
#include <string>
#include <vector>

#include "eval/anchors.h"

namespace nicodec::eval {

struct RdRow {
  std::string image, codec;
  double param = 0;
  int width = 0, height = 0;
  size_t bytes = 0;
  double bpp = 0, psnr = 0, psnr_y = 0, ssim = 0, ms_ssim = 0, encode_s = 0, decode_s = 0;
  std::string error;  // non-empty when the tool failed
  double target_bpp = 0;  // > 0 for rows found by bisection; then NaN metrics mean no setting fits the target
};

struct RdRunOptions {
  std::string images_dir, out_dir;
  std::vector<std::string> codecs;
  int jobs = 2;
  bool progress = true;
  // Instead of the sweep: for each image and target, the setting whose file is the largest at or below the
  // target bpp, found by bisection (rows carry the target in `target_bpp`).
  std::vector<double> target_bpp;
};

// Throws Error for a missing folder, no images, or a codec whose tool is not installed (naming the package).
std::vector<RdRow> run_rd(const RdRunOptions& opt);

}  // namespace nicodec::eval
