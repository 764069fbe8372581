#include "eval/rd_runner.h"

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/crc32.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/media/image_io.h"
#include "core/progress.h"
#include "eval/image_metrics.h"

namespace nicodec::eval {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

struct Prepared {
  std::string name, ppm, png, key;
  Image image;
};

json to_json(const RdRow& r, const std::string& key) {
  return {{"key", key},     {"image", r.image},   {"codec", r.codec},       {"param", r.param},     {"width", r.width},
          {"height", r.height}, {"bytes", r.bytes}, {"bpp", r.bpp},       {"psnr", r.psnr},       {"psnr_y", r.psnr_y},
          {"ssim", r.ssim}, {"ms_ssim", r.ms_ssim}, {"encode_s", r.encode_s}, {"decode_s", r.decode_s}, {"error", r.error}, {"target_bpp", r.target_bpp}};
}

RdRow from_json(const json& j) {
  RdRow r;
  r.image = j.at("image");
  r.codec = j.at("codec");
  r.param = j.at("param");
  r.width = j.at("width");
  r.height = j.at("height");
  r.bytes = j.at("bytes");
  r.bpp = j.at("bpp");
  // JSON has no inf or NaN: PSNR of identical pictures is inf, a missed target's metrics are NaN.
  auto num = [&](const char* k) { return j.at(k).is_null() ? (j.value("error", "").empty() ? INFINITY : NAN) : j.at(k).get<double>(); };
  r.psnr = num("psnr");
  r.psnr_y = num("psnr_y");
  r.ssim = num("ssim");
  r.ms_ssim = j.at("ms_ssim").is_null() ? NAN : j.at("ms_ssim").get<double>();
  r.encode_s = j.at("encode_s");
  r.decode_s = j.at("decode_s");
  r.error = j.at("error");
  r.target_bpp = j.value("target_bpp", 0.0);
  return r;
}

// Tools log to <out>/work/tools.log, which is where to look when a point fails.
int run_tool(const std::string& cmd, const fs::path& work) { return eval::run_tool(cmd, (work / "tools.log").string()); }

double timed(const std::string& cmd, const fs::path& work, int* status) {
  return timed_tool(cmd, (work / "tools.log").string(), status);
}

// File names unique to this job and setting, so parallel jobs never share a file.
std::string point_tag(const Anchor& a, double param) {
  static std::atomic<uint64_t> counter{0};
  char tag[96];
  std::snprintf(tag, sizeof tag, "%s-%g-%llu", a.name.c_str(), param, static_cast<unsigned long long>(counter++));
  return tag;
}

// Size in bytes of the file the encoder writes at `param`, or 0 when it fails.
size_t encoded_size(const Prepared& img, const Anchor& a, double param, const fs::path& work) {
  const std::string out = (work / (img.name + "." + point_tag(a, param) + ".probe." + a.extension)).string();
  int st = run_tool(fill(a.encode, param, img.ppm, img.png, out, out + ".png"), work);
  size_t n = (st == 0 && fs::exists(out)) ? fs::file_size(out) : 0;
  fs::remove(out);
  return n;
}

RdRow measure(const Prepared& img, const Anchor& a, double param, const fs::path& work);

// The row for a target below what the codec reaches: its lowest setting's size, no quality.
RdRow below_reach(const Prepared& img, const Anchor& a, double target, double lowest, const fs::path& work) {
  RdRow r;
  r.image = img.name, r.codec = a.name, r.target_bpp = target, r.width = img.image.width, r.height = img.image.height;
  r.param = lowest;
  r.bytes = encoded_size(img, a, lowest, work);
  r.bpp = bpp(r.bytes, r.width, r.height);
  r.psnr = r.psnr_y = r.ssim = r.ms_ssim = NAN;
  r.error = "target below the lowest rate this codec reaches";
  return r;
}

// A codec with its own rate control encodes once at the target; when it refuses, the lowest setting tells
// whether the target was out of its reach.
RdRow measure_with_own_rate_control(const Prepared& img, const Anchor& a, double target, const fs::path& work) {
  Anchor native = a;
  native.encode = a.encode_at_target;
  RdRow r = measure(img, native, target, work);
  r.target_bpp = target;
  if (r.error.empty()) return r;
  const double lowest = a.higher_is_better ? a.min_param : a.max_param;
  RdRow low = below_reach(img, a, target, lowest, work);
  return (low.bytes > 0 && low.bpp > target) ? low : r;
}

// The setting with the largest file at or below target bpp, by bisection over the setting's range.
RdRow measure_at_target(const Prepared& img, const Anchor& a, double target, const fs::path& work) {
  if (!a.encode_at_target.empty()) return measure_with_own_rate_control(img, a, target, work);
  const double pixels = double(img.image.width) * img.image.height;
  auto setting = [&](double t) {  // t in [0, 1]: 0 fewest bits, 1 most
    double p = a.higher_is_better ? a.min_param + t * (a.max_param - a.min_param) : a.max_param - t * (a.max_param - a.min_param);
    return a.integer ? std::round(p) : p;
  };
  auto fits = [&](double t) {
    const size_t n = encoded_size(img, a, setting(t), work);
    return n > 0 && 8.0 * double(n) / pixels <= target;
  };
  if (!fits(0)) return below_reach(img, a, target, setting(0), work);
  double lo = 0, hi = 1;  // fits(lo) holds
  const int steps = a.integer ? static_cast<int>(std::ceil(std::log2(a.max_param - a.min_param + 1))) + 1 : 14;
  if (fits(1)) lo = 1;
  else
    for (int i = 0; i < steps; ++i) {
      const double mid = (lo + hi) / 2;
      (fits(mid) ? lo : hi) = mid;
    }
  RdRow r = measure(img, a, setting(lo), work);
  r.target_bpp = target;
  return r;
}

RdRow measure(const Prepared& img, const Anchor& a, double param, const fs::path& work) {
  RdRow r;
  r.image = img.name;
  r.codec = a.name;
  r.param = param;
  r.width = img.image.width;
  r.height = img.image.height;
  const std::string tag = point_tag(a, param);
  const std::string out = (work / (img.name + "." + tag + "." + a.extension)).string();
  const std::string dec = (work / (img.name + "." + tag + ".dec.png")).string();
  int st = 0;
  r.encode_s = timed(fill(a.encode, param, img.ppm, img.png, out, dec), work, &st);
  if (st != 0 || !fs::exists(out)) {
    r.error = "encoder failed (see work/tools.log)";
    return r;
  }
  r.bytes = fs::file_size(out);
  r.bpp = bpp(r.bytes, r.width, r.height);
  r.decode_s = timed(fill(a.decode, param, img.ppm, img.png, out, dec), work, &st);
  try {
    if (st != 0) throw Error("decoder failed (see work/tools.log)");
    const Image back = read_image(dec);
    const ImageView x{img.image.rgb.data(), r.width, r.height, 3}, y{back.rgb.data(), back.width, back.height, 3};
    r.psnr = psnr(y, x);
    r.psnr_y = psnr_y(y, x);
    r.ssim = ssim(y, x);
    r.ms_ssim = (r.width >= 176 && r.height >= 176) ? ms_ssim(y, x) : NAN;
  } catch (const Error& e) {
    r.error = e.what();
  }
  fs::remove(out);
  fs::remove(dec);
  return r;
}

}  // namespace

std::vector<RdRow> run_rd(const RdRunOptions& opt) {
  const auto anchors = installed(opt.codecs, find_anchor);
  std::vector<fs::path> files;
  for (const auto& f : media_files(opt.images_dir, {".png", ".ppm", ".jpg", ".jpeg", ".tif", ".webp", ".bmp"},
                                   "images: .png .ppm .jpg .tif .webp .bmp; data/build_image_sets.sh builds data/sets/images-eval"))
    files.emplace_back(f);
  const fs::path out(opt.out_dir), work = out / "work";
  fs::create_directories(work);

  // Each picture once as PPM and PNG (what the tools read); its key is the CRC of its pixels.
  std::vector<Prepared> images;
  for (const auto& f : files) {
    Prepared p;
    p.name = f.stem().string();
    p.image = read_image(f.string());
    p.ppm = (work / (p.name + ".ppm")).string();
    p.png = (work / (p.name + ".png")).string();
    if (!fs::exists(p.ppm)) write_image(p.ppm, p.image);
    if (!fs::exists(p.png)) write_image(p.png, p.image);
    char k[16];
    std::snprintf(k, sizeof k, "%08x", crc32(p.image.rgb.data(), p.image.rgb.size()));
    p.key = p.name + "@" + k;
    images.push_back(std::move(p));
  }

  // Cached rows, keyed by image content, codec, setting and the command templates.
  const fs::path cache = out / "cache.jsonl";
  std::map<std::string, RdRow> done;
  if (fs::exists(cache)) {
    std::ifstream in(cache);
    std::string line;
    while (std::getline(in, line)) {
      try {
        const json j = json::parse(line);
        RdRow r = from_json(j);
        // A tool that failed (killed, binary being rebuilt, disk full) is tried again; a target below a codec's
        // reach is a result and stays.
        if (r.error.find("failed") != std::string::npos) continue;
        done[j.at("key")] = r;
      } catch (const std::exception&) {
        // a line cut short by an interrupted run: that point is simply measured again
      }
    }
  }
  struct Job {
    const Prepared* img;
    const Anchor* a;
    double param;  // the setting, or the target bpp in target mode
    std::string key;
  };
  const bool targets = !opt.target_bpp.empty();
  std::vector<Job> todo;
  std::vector<RdRow> rows;
  for (const auto& img : images)
    for (const Anchor* a : anchors)
      for (double p : targets ? opt.target_bpp : a->params) {
        char k[64];
        const std::string cmds = a->encode + a->decode + a->cache_tag + (targets ? a->encode_at_target : "");
        std::snprintf(k, sizeof k, "|%s%g|%08x", targets ? "target" : "", p, crc32(cmds.data(), cmds.size()));
        const std::string key = img.key + "|" + a->name + k;
        auto it = done.find(key);
        if (it != done.end()) rows.push_back(it->second);
        else todo.push_back({&img, a, p, key});
      }
  std::mutex mu;
  std::ofstream log(cache, std::ios::app);
  std::atomic<size_t> next{0}, finished{0};
  Progress progress("rdeval: " + std::to_string(todo.size()) + " new points", todo.size(), opt.progress && !todo.empty());
  auto worker = [&] {
    for (size_t i; (i = next++) < todo.size();) {
      RdRow r = targets ? measure_at_target(*todo[i].img, *todo[i].a, todo[i].param, work)
                        : measure(*todo[i].img, *todo[i].a, todo[i].param, work);
      std::lock_guard<std::mutex> lock(mu);
      log << to_json(r, todo[i].key).dump() << "\n" << std::flush;
      rows.push_back(std::move(r));
      progress.update(++finished);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, opt.jobs); ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  progress.finish();
  std::sort(rows.begin(), rows.end(), [](const RdRow& a, const RdRow& b) {
    return std::tie(a.codec, a.param, a.image) < std::tie(b.codec, b.param, b.image);
  });
  return rows;
}

}  // namespace nicodec::eval
