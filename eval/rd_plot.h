// Rate-quality plots as SVG text or PNG files: lines with markers, one per codec, a log-scale rate axis.
// Used for image curves (bpp vs PSNR / MS-SSIM) and audio curves (kbit/s vs mel distance / STOI).
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace nicodec::eval {

struct PlotSeries {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (rate > 0, quality), by increasing rate
};

struct PlotSpec {
  std::string title, x_label, y_label;
  std::vector<PlotSeries> series;
};

// The axes: log10(rate) from x0 to x1 (rounded out to half decades) and quality from y0 to y1, rounded out to
// multiples of y_step (1, 2 or 5 times a power of ten, about 4-10 ticks); empty when no series has a point.
struct PlotRange {
  double x0, x1, y0, y1, y_step;
  bool empty;
};
PlotRange plot_range(const PlotSpec& spec);

std::string svg_plot(const PlotSpec& spec);
void png_plot(const PlotSpec& spec, const std::string& path);  // OpenCV drawing, written atomically

}  // namespace nicodec::eval
