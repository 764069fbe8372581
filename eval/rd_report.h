// Turns measured rows into mean rate-distortion curves, BD-rate tables, CSV, and plot specs.
#pragma once
#include <string>
#include <vector>

#include "eval/rd_plot.h"
#include "eval/rd_runner.h"

namespace nicodec::eval {

struct CurvePoint {
  double param, bpp, psnr, psnr_y, ms_ssim, ms_ssim_db;  // means over the images (ms_ssim_db = -10 log10(1 - ms_ssim))
  double encode_s, decode_s;
  int images;
};
struct RdCurve {
  std::string codec;
  std::vector<CurvePoint> points;  // by increasing bpp
};

// One curve per codec; a setting enters only if every image was measured without error at it.
std::vector<RdCurve> mean_curves(const std::vector<RdRow>& rows);
void write_csv(const std::vector<RdRow>& rows, const std::string& path);
// Markdown: the command, per-codec points, and BD-rate (PSNR, MS-SSIM dB) of every codec against `reference`.
std::string markdown_report(const std::vector<RdCurve>& curves, const std::string& reference, const std::string& command);
// The plot of PSNR (or MS-SSIM in dB) against bpp, one series per codec (eval/rd_plot.h draws it).
PlotSpec rd_plot_spec(const std::vector<RdCurve>& curves, bool ms_ssim, const std::string& title);

}  // namespace nicodec::eval
