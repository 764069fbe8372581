// Turns measured rows into mean rate-distortion curves, BD-rate tables, CSV, and SVG plots.
#pragma once
#include <string>
#include <vector>

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
// The axes of an RD plot: log10(bpp) from x0 to x1 (rounded out to half decades) and quality from y0 to y1
// (rounded out to whole dB); empty when no curve has a point.
struct PlotRange {
  double x0, x1, y0, y1;
  bool empty;
};
PlotRange plot_range(const std::vector<RdCurve>& curves, bool ms_ssim);

// PSNR (or MS-SSIM dB) against bpp on a log axis, one line per codec.
std::string svg_plot(const std::vector<RdCurve>& curves, bool ms_ssim, const std::string& title);
// The same plot as a PNG file (OpenCV drawing), written atomically.
void png_plot(const std::vector<RdCurve>& curves, bool ms_ssim, const std::string& title, const std::string& path);

}  // namespace nicodec::eval
