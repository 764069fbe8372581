#include "eval/rd_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace nicodec::eval {

namespace {
std::string fmt(const char* f, double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}
const char* const kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                               "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
}  // namespace

PlotRange plot_range(const PlotSpec& spec) {
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  for (const auto& s : spec.series)
    for (const auto& [x, y] : s.points) {
      if (!(x > 0) || !std::isfinite(y)) continue;
      x0 = std::min(x0, std::log10(x)), x1 = std::max(x1, std::log10(x));
      y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
  if (x0 > x1) return {0, 0, 0, 0, 1, true};
  // Tick step: 1, 2 or 5 x 10^k giving at most 10 intervals.
  const double span = std::max(y1 - y0, 1e-9);
  double step = std::pow(10.0, std::floor(std::log10(span / 10)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (span / (step * m) <= 10) {
      step *= m;
      break;
    }
  return {std::floor(x0 * 2) / 2, std::max(std::ceil(x1 * 2) / 2, std::floor(x0 * 2) / 2 + 0.5), std::floor(y0 / step) * step,
          std::max(std::ceil(y1 / step) * step, std::floor(y0 / step) * step + step), step, false};
}

std::string svg_plot(const PlotSpec& spec) {
  const double W = 720, H = 480, L = 70, R = 170, T = 40, B = 60;
  const PlotRange r = plot_range(spec);
  if (r.empty) return "<svg xmlns='http://www.w3.org/2000/svg'/>";
  auto X = [&](double v) { return L + (std::log10(v) - r.x0) / (r.x1 - r.x0) * (W - L - R); };
  auto Y = [&](double v) { return H - B - (v - r.y0) / (r.y1 - r.y0) * (H - T - B); };
  std::string s = "<svg xmlns='http://www.w3.org/2000/svg' width='" + fmt("%g", W) + "' height='" + fmt("%g", H) +
                  "' font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' fill='white'/>\n";
  s += "<text x='" + fmt("%g", W / 2 - 60) + "' y='22' font-size='15'>" + spec.title + "</text>\n";
  for (double e = r.x0; e <= r.x1 + 1e-9; e += 0.5) {
    const double v = std::pow(10, e);
    s += "<line x1='" + fmt("%.1f", X(v)) + "' y1='" + fmt("%g", T) + "' x2='" + fmt("%.1f", X(v)) + "' y2='" + fmt("%g", H - B) + "' stroke='#ddd'/>";
    s += "<text x='" + fmt("%.1f", X(v) - 12) + "' y='" + fmt("%g", H - B + 16) + "'>" + fmt("%.3g", v) + "</text>\n";
  }
  for (double v = r.y0; v <= r.y1 + r.y_step * 1e-6; v += r.y_step) {
    s += "<line x1='" + fmt("%g", L) + "' y1='" + fmt("%.1f", Y(v)) + "' x2='" + fmt("%g", W - R) + "' y2='" + fmt("%.1f", Y(v)) + "' stroke='#ddd'/>";
    s += "<text x='" + fmt("%g", L - 40) + "' y='" + fmt("%.1f", Y(v) + 4) + "'>" + fmt("%.4g", v) + "</text>\n";
  }
  s += "<text x='" + fmt("%g", (W - R + L) / 2 - 40) + "' y='" + fmt("%g", H - 15) + "'>" + spec.x_label + "</text>\n";
  s += "<text x='18' y='" + fmt("%g", H / 2) + "' transform='rotate(-90 18 " + fmt("%g", H / 2) + ")'>" + spec.y_label + "</text>\n";
  for (size_t i = 0; i < spec.series.size(); ++i) {
    const std::string col = kColors[i % 10];
    std::string pts, dots;
    for (const auto& [x, y] : spec.series[i].points) {
      if (!(x > 0) || !std::isfinite(y)) continue;
      pts += fmt("%.1f,", X(x)) + fmt("%.1f ", Y(y));
      dots += "<circle cx='" + fmt("%.1f", X(x)) + "' cy='" + fmt("%.1f", Y(y)) + "' r='3' fill='" + col + "'/>";
    }
    s += "<polyline fill='none' stroke='" + col + "' stroke-width='2' points='" + pts + "'/>\n" + dots;
    s += "\n<text x='" + fmt("%g", W - R + 15) + "' y='" + fmt("%g", T + 18 + 18.0 * static_cast<double>(i)) + "' fill='" + col + "'>" + spec.series[i].name + "</text>\n";
  }
  return s + "</svg>\n";
}

}  // namespace nicodec::eval
