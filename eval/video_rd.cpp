#include "eval/video_rd.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "core/error.h"
#include "core/media/video_io.h"
#include "core/progress.h"
#include "eval/bd_rate.h"
#include "eval/parallel.h"
#include "eval/rd_cache.h"
#include "eval/video_metrics.h"

namespace nicodec::eval {

namespace fs = std::filesystem;

namespace {

void replace_all(std::string& s, const std::string& key, const std::string& value) {
  for (size_t p = s.find(key); p != std::string::npos; p = s.find(key, p + value.size())) s.replace(p, key.size(), value);
}

// Compares the decoded clip with the original frame by frame (two readers, bounded memory).
void measure(VideoRdRow& r, const std::string& original, const std::string& decoded) {
  VideoReader a(original), b(decoded);
  Frame420 fa, fb;
  double psnr = 0, psnr_y = 0, ms = 0;
  bool ms_ok = true;
  int n = 0;
  while (n < r.frames && a.read(fa)) {
    if (!b.read(fb)) throw Error("the decoded clip has " + std::to_string(n) + " frames, " + std::to_string(r.frames) + " expected");
    const YuvPsnr p = psnr_yuv420(fa, fb);
    psnr += std::min(p.yuv, 100.0);
    psnr_y += std::min(p.y, 100.0);
    if (ms_ok) {
      try {
        ms += ms_ssim_yuv420(fa, fb);
      } catch (const UsageError&) {
        ms_ok = false;
      }
    }
    ++n;
  }
  r.psnr_yuv = psnr / n;
  r.psnr_y = psnr_y / n;
  r.ms_ssim_yuv = ms_ok ? ms / n : std::nan("");
}

std::string fmt(double v, const char* f) {
  if (std::isnan(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

namespace {

std::string to_cache(const VideoRdRow& r) {
  std::ostringstream v;
  v.precision(17);
  v << r.bytes << " " << r.psnr_yuv << " " << r.psnr_y << " "
    << (std::isnan(r.ms_ssim_yuv) ? std::string("nan") : std::to_string(r.ms_ssim_yuv)) << " " << r.encode_s << " "
    << r.decode_s;
  return v.str();
}

bool from_cache(const std::string& value, VideoRdRow& r) {
  std::istringstream in(value);
  std::string ms;
  if (!(in >> r.bytes >> r.psnr_yuv >> r.psnr_y >> ms >> r.encode_s >> r.decode_s)) return false;
  r.ms_ssim_yuv = ms == "nan" ? std::nan("") : std::stod(ms);
  return true;
}

void set_rates(VideoRdRow& r) {
  r.bpp = 8.0 * static_cast<double>(r.bytes) / (static_cast<double>(r.width) * r.height * r.frames);
  r.kbps = kbps(r.bytes, static_cast<size_t>(r.frames), r.fps);
}

}  // namespace

std::vector<VideoRdRow> run_video_rd(const VideoRdOptions& opt) {
  if (opt.frames < 1) throw UsageError("--frames must be positive");
  if (opt.intra_period != -1 && opt.intra_period < 1) throw UsageError("--intra-period must be -1 or positive");
  if (opt.jobs < 1) throw UsageError("--jobs must be positive");
  std::vector<fs::path> clips;
  for (const auto& f : media_files(opt.video_dir, {".y4m"}, "data/build_video_sets.sh builds data/sets/video-eval"))
    clips.emplace_back(f);
  const auto codecs = installed(opt.codecs, find_video_anchor);
  const fs::path work = fs::path(opt.out_dir) / "work";
  fs::create_directories(work);
  const std::string log = (work / "tools.log").string();
  RdCache cache((fs::path(opt.out_dir) / "video-cache.tsv").string());
  const std::string gop = std::to_string(opt.intra_period == -1 ? 9999 : opt.intra_period);
  // Every (clip, codec, setting) is a row, in this order; cached rows are filled now, the rest by the workers.
  struct Job {
    std::string clip, key;
    const Anchor* a;
    double p;
    size_t row;
  };
  std::vector<VideoRdRow> rows;
  std::vector<Job> todo;
  for (const auto& clip : clips) {
    VideoRdRow base;
    base.clip = clip.stem().string();
    {
      VideoReader rd(clip.string());
      base.width = rd.width(), base.height = rd.height(), base.fps = rd.fps();
      Frame420 f;
      while (base.frames < opt.frames && rd.read(f)) ++base.frames;
    }
    for (const Anchor* a : codecs)
      for (double p : a->params) {
        VideoRdRow r = base;
        r.codec = a->name;
        r.param = p;
        const std::string key =
            file_identity(clip.string()) + "|f" + std::to_string(r.frames) + "|g" + gop + codec_identity(*a, p);
        const std::string* hit = cache.find(key);
        if (hit && from_cache(*hit, r))
          set_rates(r);
        else
          todo.push_back({clip.string(), key, a, p, rows.size()});
        rows.push_back(r);
      }
  }
  Progress progress("video RD: " + std::to_string(todo.size()) + " new points", todo.size(), opt.progress && !todo.empty());
  std::mutex mu;
  size_t finished = 0;
  for_each_point(todo.size(), opt.jobs, [&](size_t i) {
    const Job& j = todo[i];
    VideoRdRow r = rows[j.row];  // the row's labels; each job writes only its own row and files
    char tag[48];
    std::snprintf(tag, sizeof tag, ".%g.", j.p);
    const std::string stem = (work / (r.clip + "." + r.codec + tag)).string();
    const std::string out = stem + j.a->extension, dec = stem + "dec.y4m";
    std::string enc_cmd = j.a->encode, dec_cmd = j.a->decode;
    for (auto* c : {&enc_cmd, &dec_cmd}) {
      replace_all(*c, "{gop}", gop);
      replace_all(*c, "{period}", std::to_string(opt.intra_period));
      replace_all(*c, "{frames}", std::to_string(r.frames));
    }
    fs::remove(out);
    int status = 0;
    r.encode_s = timed_tool(fill(enc_cmd, j.p, j.clip, j.clip, out, dec), log, &status);
    if (status != 0 || !fs::exists(out)) {
      r.error = "encoder failed (see work/tools.log)";
    } else {
      r.bytes = fs::file_size(out);
      set_rates(r);
      try {
        r.decode_s = timed_tool(fill(dec_cmd, j.p, j.clip, j.clip, out, dec), log, &status);
        if (status != 0) throw Error("decoder failed (see work/tools.log)");
        measure(r, j.clip, dec);
      } catch (const Error& e) {
        r.error = e.what();
      }
      fs::remove(dec);
    }
    std::lock_guard<std::mutex> lock(mu);
    if (r.error.empty()) cache.add(j.key, to_cache(r));
    rows[j.row] = std::move(r);
    progress.update(++finished);
  });
  progress.finish();
  return rows;
}

void write_video_csv(const std::vector<VideoRdRow>& rows, const std::string& path) {
  std::ofstream f(path);
  f << "clip,codec,param,width,height,frames,fps,bytes,bpp,kbps,psnr_yuv,psnr_y,ms_ssim_yuv,encode_s,decode_s,error\n";
  for (const auto& r : rows)
    f << r.clip << "," << r.codec << "," << r.param << "," << r.width << "," << r.height << "," << r.frames << ","
      << r.fps << "," << r.bytes << "," << r.bpp << "," << r.kbps << "," << r.psnr_yuv << "," << r.psnr_y << ","
      << r.ms_ssim_yuv << "," << r.encode_s << "," << r.decode_s << ",\"" << r.error << "\"\n";
  if (!f) throw Error("cannot write " + path);
}

std::string video_markdown_report(const std::vector<VideoRdRow>& rows, const std::string& reference,
                                  const std::string& command) {
  std::ostringstream md;
  md << "Made by `" << command << "`. bpp counts the whole stream over all pixels of all frames; PSNR-YUV and "
        "MS-SSIM-YUV weight Y:U:V as 6:1:1.\n\n| clip | codec | CRF | bpp | kbit/s | PSNR-YUV dB | PSNR-Y dB | "
        "MS-SSIM-YUV | encode s | decode s |\n|---|---|---|---|---|---|---|---|---|---|\n";
  std::map<std::string, std::map<std::string, std::vector<RdPoint>>> psnr, ssim;  // clip -> codec -> points
  std::set<std::string> codecs;
  for (const auto& r : rows) {
    md << "| " << r.clip << " | " << r.codec << " | " << fmt(r.param, "%g") << " | ";
    if (!r.error.empty()) {
      md << r.error << " | | | | | | |\n";
      continue;
    }
    md << fmt(r.bpp, "%.4f") << " | " << fmt(r.kbps, "%.1f") << " | " << fmt(r.psnr_yuv, "%.2f") << " | "
       << fmt(r.psnr_y, "%.2f") << " | " << fmt(r.ms_ssim_yuv, "%.4f") << " | " << fmt(r.encode_s, "%.1f") << " | " << fmt(r.decode_s, "%.1f") << " |\n";
    psnr[r.clip][r.codec].push_back({r.bpp, r.psnr_yuv});
    if (!std::isnan(r.ms_ssim_yuv)) ssim[r.clip][r.codec].push_back({r.bpp, -10 * std::log10(1 - r.ms_ssim_yuv)});
    codecs.insert(r.codec);
  }
  md << "\nBD-rate against " << reference << " (negative: fewer bits at equal quality), per clip and mean:\n\n"
     << "| codec | metric |";
  for (const auto& [clip, m] : psnr) md << " " << clip << " |";
  md << " mean |\n|---|---|";
  for (size_t i = 0; i <= psnr.size(); ++i) md << "---|";
  md << "\n";
  for (const auto& c : codecs) {
    if (c == reference) continue;
    for (int metric = 0; metric < 2; ++metric) {
      auto& table = metric ? ssim : psnr;
      md << "| " << c << " | " << (metric ? "MS-SSIM-YUV (dB)" : "PSNR-YUV") << " |";
      double sum = 0;
      int n = 0;
      for (const auto& [clip, m] : psnr) {
        auto& cm = table[clip];
        std::string cell = " - |";
        if (cm.count(reference) && cm.count(c)) {
          auto sorted = [](std::vector<RdPoint> v) {
            std::sort(v.begin(), v.end(), [](const RdPoint& a, const RdPoint& b) { return a.rate < b.rate; });
            return v;
          };
          try {
            const double bd = bd_rate(sorted(cm[reference]), sorted(cm[c]));
            cell = " " + fmt(bd, "%+.1f%%") + " |";
            sum += bd, ++n;
          } catch (const UsageError&) {
          }
        }
        md << cell;
      }
      md << " " << (n ? fmt(sum / n, "%+.1f%%") : "-") << " |\n";
    }
  }
  return md.str();
}

std::vector<std::pair<std::string, PlotSpec>> video_plots(const std::vector<VideoRdRow>& rows) {
  std::map<std::string, std::map<std::string, std::vector<std::pair<double, double>>>> by;  // clip -> codec -> points
  for (const auto& r : rows)
    if (r.error.empty()) by[r.clip][r.codec].emplace_back(r.kbps, r.psnr_yuv);
  std::vector<std::pair<std::string, PlotSpec>> out;
  for (auto& [clip, codecs] : by) {
    PlotSpec spec{clip + ": PSNR-YUV vs rate", "kbit/s (log)", "PSNR-YUV (dB, 6:1:1)", {}};
    for (auto& [codec, pts] : codecs) {
      std::sort(pts.begin(), pts.end());
      spec.series.push_back({codec, pts});
    }
    out.emplace_back(clip + "-psnr", std::move(spec));
  }
  return out;
}

}  // namespace nicodec::eval
