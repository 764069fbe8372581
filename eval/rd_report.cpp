#include "eval/rd_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "core/error.h"
#include "eval/bd_rate.h"

namespace nicodec::eval {
namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

std::vector<RdCurve> mean_curves(const std::vector<RdRow>& rows) {
  std::map<std::string, std::map<double, std::vector<const RdRow*>>> groups;
  std::map<std::string, std::set<std::string>> images_of;
  for (const auto& r : rows) {
    groups[r.codec][r.param].push_back(&r);
    images_of[r.codec].insert(r.image);
  }
  std::vector<RdCurve> curves;
  for (const auto& [codec, by_param] : groups) {
    RdCurve c{codec, {}};
    for (const auto& [param, rs] : by_param) {
      if (rs.size() != images_of[codec].size()) continue;
      if (std::any_of(rs.begin(), rs.end(), [](const RdRow* r) { return !r->error.empty() || !std::isfinite(r->psnr); })) continue;
      CurvePoint p{param, 0, 0, 0, 0, 0, 0, 0, static_cast<int>(rs.size())};
      for (const RdRow* r : rs) {
        p.bpp += r->bpp, p.psnr += r->psnr, p.psnr_y += r->psnr_y, p.ms_ssim += r->ms_ssim;
        p.encode_s += r->encode_s, p.decode_s += r->decode_s;
      }
      const double n = static_cast<double>(rs.size());
      p.bpp /= n, p.psnr /= n, p.psnr_y /= n, p.ms_ssim /= n, p.encode_s /= n, p.decode_s /= n;
      p.ms_ssim_db = -10 * std::log10(std::max(1e-12, 1 - p.ms_ssim));
      c.points.push_back(p);
    }
    std::sort(c.points.begin(), c.points.end(), [](const CurvePoint& a, const CurvePoint& b) { return a.bpp < b.bpp; });
    curves.push_back(std::move(c));
  }
  return curves;
}

void write_csv(const std::vector<RdRow>& rows, const std::string& path) {
  std::ofstream f(path);
  if (!f) throw Error("cannot write '" + path + "'");
  f << "image,codec,param,target_bpp,width,height,bytes,bpp,psnr,psnr_y,ssim,ms_ssim,encode_s,decode_s,error\n";
  for (const auto& r : rows)
    f << r.image << "," << r.codec << "," << r.param << "," << r.target_bpp << "," << r.width << "," << r.height << "," << r.bytes << "," << r.bpp << ","
      << r.psnr << "," << r.psnr_y << "," << r.ssim << "," << r.ms_ssim << "," << r.encode_s << "," << r.decode_s << ",\""
      << r.error << "\"\n";
}

std::string markdown_report(const std::vector<RdCurve>& curves, const std::string& reference, const std::string& command) {
  std::string md = "Command: `" + command + "`\n\n";
  md += "| codec | setting | bpp | PSNR dB | PSNR-Y dB | MS-SSIM | MS-SSIM dB | encode s | decode s |\n|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& c : curves)
    for (const auto& p : c.points)
      md += "| " + c.codec + " | " + fmt("%g", p.param) + " | " + fmt("%.4f", p.bpp) + " | " + fmt("%.2f", p.psnr) + " | " +
            fmt("%.2f", p.psnr_y) + " | " + fmt("%.4f", p.ms_ssim) + " | " + fmt("%.2f", p.ms_ssim_db) + " | " +
            fmt("%.3f", p.encode_s) + " | " + fmt("%.3f", p.decode_s) + " |\n";
  const RdCurve* ref = nullptr;
  for (const auto& c : curves)
    if (c.codec == reference) ref = &c;
  if (!ref) return md;
  md += "\nBD-rate against " + reference + " (negative: fewer bits for the same quality), over the overlapping range:\n\n";
  md += "| codec | BD-rate (PSNR) | BD-rate (MS-SSIM dB) | BD-PSNR dB |\n|---|---|---|---|\n";
  auto pts = [](const RdCurve& c, bool ms) {
    std::vector<RdPoint> v;
    for (const auto& p : c.points) v.push_back({p.bpp, ms ? p.ms_ssim_db : p.psnr});
    return v;
  };
  for (const auto& c : curves) {
    if (&c == ref) continue;
    std::string cells[3];
    for (int k = 0; k < 3; ++k) {
      try {
        const double v = k == 0 ? bd_rate(pts(*ref, false), pts(c, false))
                                : (k == 1 ? bd_rate(pts(*ref, true), pts(c, true)) : bd_quality(pts(*ref, false), pts(c, false)));
        cells[k] = k == 2 ? fmt("%+.2f", v) : fmt("%+.1f%%", v);
      } catch (const UsageError& e) {
        cells[k] = "n/a";
      }
    }
    md += "| " + c.codec + " | " + cells[0] + " | " + cells[1] + " | " + cells[2] + " |\n";
  }
  return md;
}

PlotRange plot_range(const std::vector<RdCurve>& curves, bool ms) {
  double x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;
  for (const auto& c : curves)
    for (const auto& p : c.points) {
      const double y = ms ? p.ms_ssim_db : p.psnr;
      x0 = std::min(x0, std::log10(p.bpp)), x1 = std::max(x1, std::log10(p.bpp));
      y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
  if (x0 > x1) return {0, 0, 0, 0, true};
  return {std::floor(x0 * 2) / 2, std::ceil(x1 * 2) / 2, std::floor(y0), std::ceil(y1), false};
}

std::string svg_plot(const std::vector<RdCurve>& curves, bool ms, const std::string& title) {
  const double W = 720, H = 480, L = 70, R = 170, T = 40, B = 60;
  const PlotRange r = plot_range(curves, ms);
  if (r.empty) return "<svg xmlns='http://www.w3.org/2000/svg'/>";
  const double x0 = r.x0, x1 = r.x1, y0 = r.y0, y1 = r.y1;
  auto X = [&](double bpp) { return L + (std::log10(bpp) - x0) / std::max(1e-9, x1 - x0) * (W - L - R); };
  auto Y = [&](double v) { return H - B - (v - y0) / std::max(1e-9, y1 - y0) * (H - T - B); };
  static const char* colors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  std::string s = "<svg xmlns='http://www.w3.org/2000/svg' width='" + fmt("%g", W) + "' height='" + fmt("%g", H) +
                  "' font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' fill='white'/>\n";
  s += "<text x='" + fmt("%g", W / 2 - 60) + "' y='22' font-size='15'>" + title + "</text>\n";
  for (double e = x0; e <= x1 + 1e-9; e += 0.5) {
    const double v = std::pow(10, e);
    s += "<line x1='" + fmt("%.1f", X(v)) + "' y1='" + fmt("%g", T) + "' x2='" + fmt("%.1f", X(v)) + "' y2='" + fmt("%g", H - B) + "' stroke='#ddd'/>";
    s += "<text x='" + fmt("%.1f", X(v) - 12) + "' y='" + fmt("%g", H - B + 16) + "'>" + fmt("%.3g", v) + "</text>\n";
  }
  const double step = (y1 - y0) > 12 ? 4 : 2;
  for (double v = y0; v <= y1 + 1e-9; v += step) {
    s += "<line x1='" + fmt("%g", L) + "' y1='" + fmt("%.1f", Y(v)) + "' x2='" + fmt("%g", W - R) + "' y2='" + fmt("%.1f", Y(v)) + "' stroke='#ddd'/>";
    s += "<text x='" + fmt("%g", L - 30) + "' y='" + fmt("%.1f", Y(v) + 4) + "'>" + fmt("%g", v) + "</text>\n";
  }
  s += "<text x='" + fmt("%g", (W - R + L) / 2 - 40) + "' y='" + fmt("%g", H - 15) + "'>bits per pixel (log)</text>\n";
  s += "<text x='18' y='" + fmt("%g", H / 2) + "' transform='rotate(-90 18 " + fmt("%g", H / 2) + ")'>" + (ms ? "MS-SSIM (dB)" : "PSNR (dB)") + "</text>\n";
  for (size_t i = 0; i < curves.size(); ++i) {
    const char* col = colors[i % 10];
    std::string pts;
    for (const auto& p : curves[i].points) pts += fmt("%.1f,", X(p.bpp)) + fmt("%.1f ", Y(ms ? p.ms_ssim_db : p.psnr));
    s += "<polyline fill='none' stroke='" + std::string(col) + "' stroke-width='2' points='" + pts + "'/>\n";
    for (const auto& p : curves[i].points)
      s += "<circle cx='" + fmt("%.1f", X(p.bpp)) + "' cy='" + fmt("%.1f", Y(ms ? p.ms_ssim_db : p.psnr)) + "' r='3' fill='" + col + "'/>";
    s += "\n<text x='" + fmt("%g", W - R + 15) + "' y='" + fmt("%g", T + 18 + 18.0 * static_cast<double>(i)) + "' fill='" + col + "'>" + curves[i].codec + "</text>\n";
  }
  return s + "</svg>\n";
}

}  // namespace nicodec::eval
