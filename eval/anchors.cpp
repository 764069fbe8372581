#include "eval/anchors.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <filesystem>
#include <map>

#include "core/crc32.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/model_path.h"

namespace nicodec::eval {
namespace {

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void replace_all(std::string& s, const std::string& key, const std::string& value) {
  for (size_t p = s.find(key); p != std::string::npos; p = s.find(key, p + value.size())) s.replace(p, key.size(), value);
}

const Anchor& find_in(const std::vector<Anchor>& all, const std::string& name, const char* kind) {
  std::string names;
  for (const auto& a : all) {
    if (a.name == name) return a;
    names += (names.empty() ? "" : ", ") + a.name;
  }
  throw UsageError(std::string("unknown ") + kind + " '" + name + "'; choose from " + names);
}

}  // namespace

// Our own codecs as more codecs of the comparison: each binary sits beside rdeval in the build tree and
// finds its model the usual way; results are cached per model file and binary content.
// The image model nicodec and vidcodec load by default: codecs/image/model_io.h's kModelFile (the eval layer does
// not link the codecs; keep the two equal).
constexpr const char* kImageModelFile = "nicodec-image-v3.nicm";
// The same for audiocodec: codecs/audio/model_io.h's kModelFile.
constexpr const char* kAudioModelFile = "audiocodec-v3.nicm";
// vidcodec's P-frame refiner, loaded by default when shipped: codecs/video/prediction_refiner.h's kRefinerFile.
constexpr const char* kRefinerFile = "vidcodec-refiner-v1.nicm";

struct OwnCodec {
  std::string bin, model, tag, exe;  // exe: the quoted command with --threads 1 --quiet --model
};

// extra_model: a second file the codec loads by default when it is there (its CRC joins the tag when found).
bool own_codec(const std::string& binary, const std::string& model_file, OwnCodec* c, const char* extra_model = nullptr) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path bin = fs::read_symlink("/proc/self/exe", ec).parent_path() / binary;
  if (ec || !fs::is_regular_file(bin)) return false;
  try {
    c->model = find_model(model_file);
  } catch (const Error&) {
    return false;
  }
  // Cached results stay valid while neither the model nor the codec binary changes.
  const auto bytes = read_file(c->model), exe_bytes = read_file(bin.string());
  char tag[24];
  std::snprintf(tag, sizeof tag, "%08x-%08x", crc32(bytes.data(), bytes.size()), crc32(exe_bytes.data(), exe_bytes.size()));
  c->bin = bin.string();
  c->tag = tag;
  if (extra_model) {
    try {
      const auto extra = read_file(find_model(extra_model));
      std::snprintf(tag, sizeof tag, "-%08x", crc32(extra.data(), extra.size()));
      c->tag += tag;
    } catch (const Error&) {  // not shipped: the codec runs without it
    }
  }
  c->exe = quote(c->bin) + " --threads 1 --quiet --model " + quote(c->model);
  return true;
}

bool nicodec_anchors(std::vector<Anchor>* out) {
  OwnCodec c;
  if (!own_codec("nicodec", kImageModelFile, &c)) return false;
  const std::string what = "NiCodec learned image codec (" + std::filesystem::path(c.model).filename().string() + ", crc " + c.tag + ")";
  const std::vector<double> sweep = {-2, -1, 0, 1.5, 3, 4.5, 6, 8};
  out->push_back({"nicodec", what + ", int8 synthesis, 30 refinement steps, param = rate level q (in --bpp mode its own rate control)", "nic", sweep, -4,
                  8, true, false, c.bin, c.exe + " encode {png} -o {out} --q {param} --refine 30",
                  c.exe + " decode {out} -o {dec}", c.tag, c.exe + " encode {png} -o {out} --bpp {param} --refine 30"});
  out->push_back({"nicodec-fast", what + ", int8 synthesis, no refinement (--refine 0), param = rate level q (in --bpp mode its own rate control)", "nic",
                  sweep, -4, 8, true, false, c.bin, c.exe + " encode {png} -o {out} --q {param} --refine 0",
                  c.exe + " decode {out} -o {dec}", c.tag, c.exe + " encode {png} -o {out} --bpp {param} --refine 0"});
  // What a user of `nicodec encode --bpp X` gets (refinement, reduced size at low targets), swept over targets.
  out->push_back({"nicodec-bpp", what + ", the command's defaults, param = --bpp target", "nic",
                  {0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.4, 0.6}, 0.01, 2.0, true, false, c.bin,
                  c.exe + " encode {png} -o {out} --bpp {param}", c.exe + " decode {out} -o {dec}", c.tag,
                  c.exe + " encode {png} -o {out} --bpp {param}"});
  // The files of nicodec-fast decoded by the float synthesis: the int8 decoder's RD cost, nothing else differs.
  out->push_back({"nicodec-float", what + ", float synthesis, no refinement (nicodec-fast's files), param = rate level q (in --bpp mode its own rate control)", "nic",
                  sweep, -4, 8, true, false, c.bin, c.exe + " encode {png} -o {out} --q {param} --refine 0",
                  c.exe + " decode {out} -o {dec} --float", c.tag, c.exe + " encode {png} -o {out} --bpp {param} --refine 0"});
  return true;
}

bool audiocodec_anchor(std::vector<Anchor>* out) {
  OwnCodec c;
  if (!own_codec("audiocodec", kAudioModelFile, &c)) return false;
  out->push_back({"audiocodec",
                  "NiCodec audiocodec (" + std::filesystem::path(c.model).filename().string() + ", crc " + c.tag +
                      "); param = kbit/s cap (--kbps), whole file",
                  "nac", {0.7, 1.0, 1.4, 2.0, 2.8, 4.0, 5.6}, 0.3, 8, true, false, c.bin,
                  c.exe + " encode {in} -o {out} --kbps {param}", c.exe + " decode {out} -o {dec}", c.tag});
  out->push_back({"audiocodec-stages",
                  "NiCodec audiocodec (" + std::filesystem::path(c.model).filename().string() + ", crc " + c.tag +
                      "); param = fixed RVQ stage count (--stages), no cap",
                  "nac", {1, 2, 3, 4, 6, 8, 12, 16, 24, 32}, 1, 32, true, true, c.bin,
                  c.exe + " encode {in} -o {out} --stages {param}", c.exe + " decode {out} -o {dec}", c.tag});
  return true;
}

bool vidcodec_anchor(std::vector<Anchor>* out) {
  OwnCodec c;
  if (!own_codec("vidcodec", kImageModelFile, &c, kRefinerFile)) return false;
  const std::string model = std::filesystem::path(c.model).filename().string() + ", crc " + c.tag;
  struct Mode {
    const char *name, *what, *period;
  };
  for (const Mode m : {Mode{"vidcodec", "I frames + motion-compensated P frames; the run's intra period", "{period}"},
                       Mode{"vidcodec-intra", "intra-only (every frame a picture); the intra period does not apply", "1"}})
    out->push_back({m.name,
                    std::string("NiCodec vidcodec, ") + m.what + " (" + model + "); param = I-frame rate level q",
                    "nvc", {-2, 0, 2, 4, 6, 8}, -4, 8, true, false, c.bin,
                    c.exe + " encode {in} -o {out} --q {param} --frames {frames} --intra-period " + m.period,
                    c.exe + " decode {out} -o {dec}", c.tag});
  return true;
}

std::vector<Anchor> image_anchors() {
  std::vector<Anchor> all = classical_anchors();
  nicodec_anchors(&all);
  return all;
}

std::vector<Anchor> classical_anchors() {
  const std::string ffdec = "ffmpeg -nostdin -loglevel error -y -i {out} -frames:v 1 -pix_fmt rgb24 {dec}";
  return {
      {"jpeg420", "libjpeg-turbo cjpeg, 4:2:0, -optimize", "jpg", {5, 10, 20, 35, 50, 70, 85, 95}, 1, 100, true, true, "cjpeg",
       "cjpeg -quality {param} -sample 2x2 -optimize -outfile {out} {in}", "djpeg -outfile {dec}.ppm {out} && " + std::string("ffmpeg -nostdin -loglevel error -y -i {dec}.ppm {dec} && rm -f {dec}.ppm")},
      {"jpeg444", "libjpeg-turbo cjpeg, 4:4:4, -optimize", "jpg", {5, 10, 20, 35, 50, 70, 85, 95}, 1, 100, true, true, "cjpeg",
       "cjpeg -quality {param} -sample 1x1 -optimize -outfile {out} {in}", "djpeg -outfile {dec}.ppm {out} && " + std::string("ffmpeg -nostdin -loglevel error -y -i {dec}.ppm {dec} && rm -f {dec}.ppm")},
      {"webp", "libwebp cwebp -m 6", "webp", {0, 2, 10, 25, 45, 65, 80, 92}, 0, 100, true, false, "cwebp",
       "cwebp -quiet -m 6 -q {param} {png} -o {out}", "dwebp -quiet {out} -o {dec}"},
      {"jpeg2000", "OpenJPEG opj_compress, rate = 24 / param (param: target bpp), .j2k codestream", "j2k",
       {0.03, 0.06, 0.12, 0.25, 0.5, 1.0, 2.0}, 0.005, 8, true, false, "opj_compress",
       "opj_compress -i {png} -o {out} -r {ratio} >/dev/null", "opj_decompress -i {out} -o {dec} >/dev/null"},
      {"jpegxl", "libjxl cjxl -e 7, param = distance", "jxl", {25, 12, 8, 5, 3, 2, 1.2, 0.7}, 0.1, 25, false, false, "cjxl",
       "cjxl --quiet {png} {out} -d {param} -e 7", "djxl --quiet {out} {dec}"},
      {"avif444", "libavif avifenc (libaom AV1 intra), 4:4:4, speed 4, param = quantizer", "avif",
       {63, 58, 50, 42, 34, 26, 18, 10}, 0, 63, false, true, "avifenc",
       "avifenc -y 444 -s 4 --min {param} --max {param} {png} {out} >/dev/null", "avifdec {out} {dec} >/dev/null"},
      {"hevc444", "x265 through FFmpeg, 4:4:4, preset medium, fixed QP, no SEI (the BPG setting)", "hevc",
       {51, 47, 44, 39, 34, 29, 24, 19}, 0, 51, false, true, "ffmpeg",
       "ffmpeg -nostdin -loglevel error -y -i {png} -vf format=yuv444p -c:v libx265 -preset medium "
       "-x265-params qp={param}:info=0:log-level=error -f hevc {out}",
       ffdec},
  };
}

const Anchor& find_anchor(const std::string& name) {
  static const std::vector<Anchor> all = image_anchors();
  return find_in(all, name, "codec");
}

int run_tool(const std::string& cmd, const std::string& log_file) {
  return std::system(("{ " + cmd + " ; } 2>>" + quote(log_file)).c_str());
}

double timed_tool(const std::string& cmd, const std::string& log_file, int* status) {
  const auto t0 = std::chrono::steady_clock::now();
  *status = run_tool(cmd, log_file);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<Anchor> audio_anchors() {
  const std::string ff = "ffmpeg -nostdin -loglevel error -y ";
  const std::string dec = ff + "-i {out} -ac 1 -ar 16000 -c:a pcm_s16le {dec}";
  std::vector<Anchor> all = {
      {"opus", "libopus through FFmpeg, VBR, application voip, 20 ms frames, Ogg; param = kbit/s", "opus",
       {6, 8, 12, 16, 24}, 6, 64, true, false, "ffmpeg",
       ff + "-i {in} -c:a libopus -b:a {param}k -vbr on -application voip -frame_duration 20 {out}", dec},
      {"codec2", "Codec2 (libcodec2 through FFmpeg) at 8 kHz, .c2 file; param = mode in bit/s (700 = 700C)", "c2",
       {700, 1300, 1600, 3200}, 700, 3200, true, true, "ffmpeg",
       ff + "-i {in} -ac 1 -ar 8000 -c:a libcodec2 -mode \"$(echo {param} | sed s/^700\\$/700C/)\" -f codec2 {out}", dec},
  };
  audiocodec_anchor(&all);
  return all;
}

const Anchor& find_audio_anchor(const std::string& name) {
  static const std::vector<Anchor> all = audio_anchors();
  return find_in(all, name, "audio codec");
}

std::vector<Anchor> video_anchors() {
  const std::string ff = "ffmpeg -nostdin -loglevel error -y -i {in} -frames:v {frames} ";
  const std::string dec = "ffmpeg -nostdin -loglevel error -y -i {out} -pix_fmt yuv420p -f yuv4mpegpipe {dec}";
  auto x264 = [&](const std::string& preset) {
    return Anchor{"x264-" + preset, "libx264 " + preset + ", tune zerolatency, no B-frames, CRF", "h264",
                  {22, 27, 32, 37}, 0, 51, false, false, "ffmpeg",
                  ff + "-c:v libx264 -preset " + preset + " -tune zerolatency -bf 0 -g {gop} -keyint_min {gop} "
                       "-sc_threshold 0 -crf {param} -f h264 {out}", dec};
  };
  auto x265 = [&](const std::string& preset) {
    return Anchor{"x265-" + preset, "libx265 " + preset + ", tune zerolatency, no B-frames, CRF", "hevc",
                  {22, 27, 32, 37}, 0, 51, false, false, "ffmpeg",
                  ff + "-c:v libx265 -preset " + preset + " -tune zerolatency -x265-params "
                       "crf={param}:keyint={gop}:min-keyint={gop}:scenecut=0:bframes=0:log-level=error -f hevc {out}",
                  dec};
  };
  std::vector<Anchor> all = {x264("medium"), x264("veryslow"), x265("medium"), x265("veryslow"),
          // With lag-in-frames 0 (no hidden future frames: low delay) libaom's constant-quality mode drifts to
          // far lower quantizers than the CRF asks (a 768x576 intra frame at CRF 52: 27 KB instead of 4.9 KB), so
          // the CRF is also the floor of the quantizer range.
          {"av1", "libaom AV1, cpu-used 6, lag-in-frames 0 (low delay), CRF with qmin = CRF", "ivf", {24, 32, 40, 48},
           0, 63, false, false, "ffmpeg",
           ff + "-c:v libaom-av1 -cpu-used 6 -row-mt 1 -lag-in-frames 0 -b:v 0 -crf {param} -qmin {param} -qmax 63 "
                "-g {gop} -keyint_min {gop} -f ivf {out}", dec}};
  vidcodec_anchor(&all);
  return all;
}

const Anchor& find_video_anchor(const std::string& name) {
  static const std::vector<Anchor> all = video_anchors();
  return find_in(all, name, "video codec");
}

std::vector<const Anchor*> installed(const std::vector<std::string>& names,
                                     const Anchor& (*find)(const std::string&)) {
  std::vector<const Anchor*> out;
  for (const auto& n : names) {
    const Anchor& a = find(n);
    static const std::map<std::string, std::string> packages = {
        {"cjpeg", "libjpeg-turbo-progs"}, {"cwebp", "webp"},          {"opj_compress", "libopenjp2-tools"},
        {"cjxl", "libjxl-tools"},         {"avifenc", "libavif-bin"}, {"ffmpeg", "ffmpeg"}};
    if (!tool_available(a.tool)) {
      auto it = packages.find(a.tool);
      throw Error("codec " + a.name + " needs '" + a.tool + "'" +
                  (it != packages.end() ? ": apt-get install " + it->second : std::string(" (build it first)")));
    }
    out.push_back(&a);
  }
  return out;
}

std::vector<std::string> media_files(const std::string& dir, const std::vector<std::string>& extensions,
                                     const std::string& how_to_build) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) throw Error("'" + dir + "' is not a folder (" + how_to_build + ")");
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (std::find(extensions.begin(), extensions.end(), e.path().extension().string()) != extensions.end())
      files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  if (files.empty()) throw Error("no media files of the expected kind in '" + dir + "' (" + how_to_build + ")");
  return files;
}

bool tool_available(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

std::string fill(const std::string& tmpl, double param, const std::string& in, const std::string& png,
                 const std::string& out, const std::string& dec) {
  std::string s = tmpl;
  replace_all(s, "{param}", number(param));
  replace_all(s, "{ratio}", number(24.0 / param));
  replace_all(s, "{in}", quote(in));
  replace_all(s, "{png}", quote(png));
  replace_all(s, "{out}", quote(out));
  // {dec} may carry a suffix ({dec}.ppm): quote the whole word.
  for (size_t p = s.find("{dec}"); p != std::string::npos; p = s.find("{dec}")) {
    size_t e = p + 5;
    std::string suffix;
    while (e < s.size() && s[e] != ' ') suffix += s[e++];
    s.replace(p, e - p, quote(dec + suffix));
  }
  return s;
}

}  // namespace nicodec::eval
