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

PlotSpec rd_plot_spec(const std::vector<RdCurve>& curves, bool ms, const std::string& title) {
  PlotSpec spec{title, "bits per pixel (log)", ms ? "MS-SSIM (dB)" : "PSNR (dB)", {}};
  for (const auto& c : curves) {
    PlotSeries s{c.codec, {}};
    for (const auto& p : c.points) s.points.emplace_back(p.bpp, ms ? p.ms_ssim_db : p.psnr);
    spec.series.push_back(std::move(s));
  }
  return spec;
}

}  // namespace nicodec::eval
