#include "codecs/video/video_codec.h"

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <numeric>

#include "codecs/video/inter_frame.h"
#include "codecs/video/motion_search.h"
#include "core/byte_io.h"
#include "core/container.h"
#include "core/crc32.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/media/color.h"
#include "core/media/video_io.h"

namespace nicodec::codecs::video {

namespace {

constexpr char kMagic[4] = {'N', 'C', 'V', '1'};
constexpr const char* kModel = "vidcodec";
constexpr size_t kMaxRecord = size_t{1} << 28;
constexpr uint8_t kIntra = 0, kInter = 1, kInterRefined = 2;
constexpr double kIntraWeight = 20;  // an I frame's share of a rate target, in P-frame shares
constexpr double kMaxPassBytes = double(1 << 28);  // larger budgets: one pass, streamed (passes keep the file in memory)

// Frame rate as a fraction: exact for integer rates and the NTSC family (x/1001), else millihertz.
void rational_fps(double fps, int* num, int* den) {
  if (!(fps > 0) || fps > 1000) fps = 25;
  for (int d : {1, 1001, 1000}) {
    const double n = fps * d;
    if (std::fabs(n - std::round(n)) < 1e-3 * d || d == 1000) {
      const auto ni = static_cast<int>(std::lround(n));
      const int g = std::gcd(ni, d);
      *num = ni / g, *den = d / g;
      return;
    }
  }
}

size_t varint_size(size_t v) {
  size_t n = 1;
  while (v >= 0x80) v >>= 7, ++n;
  return n;
}

// The frame stream read from a FILE* (a file, standard input, or memory through fmemopen), a record at a time,
// so decoding holds one record, not the file. Lengths are checked against what is actually there as the bytes
// arrive, so a corrupt length never allocates more than the stream holds (plus one chunk).
class StreamReader {
 public:
  explicit StreamReader(FILE* f) : f_(f) {}
  uint8_t u8(const char* what) {
    const int c = std::fgetc(f_);
    if (c == EOF) throw FormatError(std::string("the file ends early (in the ") + what + "; truncated?)");
    return static_cast<uint8_t>(c);
  }
  uint64_t varint(uint64_t max, const char* what) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const uint8_t b = u8(what);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) {
        if (v > max) throw FormatError(std::string(what) + " " + std::to_string(v) + " exceeds " + std::to_string(max));
        return v;
      }
    }
    throw FormatError(std::string("bad varint (") + what + ")");
  }
  std::vector<uint8_t> bytes(size_t n, const char* what) {
    std::vector<uint8_t> out;
    constexpr size_t kChunk = size_t{1} << 20;
    while (out.size() < n) {
      const size_t want = std::min(kChunk, n - out.size()), at = out.size();
      out.resize(at + want);
      if (std::fread(out.data() + at, 1, want, f_) != want)
        throw FormatError(std::string("the file ends early (in the ") + what + "; truncated?)");
    }
    return out;
  }
  bool at_eof() {
    const int c = std::fgetc(f_);
    if (c == EOF) return true;
    std::ungetc(c, f_);
    return false;
  }

 private:
  FILE* f_;
};

struct Header {
  Container c;
  int width = 0, height = 0, fps_num = 25, fps_den = 1;
};

Header read_header(StreamReader& in) {
  if (in.at_eof()) throw FormatError("the file is empty, not a vidcodec file");
  char magic[4];
  for (char& m : magic) m = static_cast<char>(in.u8("magic"));
  if (std::memcmp(magic, kMagic, 4) != 0) throw FormatError("not a vidcodec file (no NCV1 magic)");
  const auto header_len = static_cast<size_t>(in.varint(size_t{1} << 20, "header length"));
  const auto header = in.bytes(header_len, "header");
  Header h;
  h.c = read_container(header.data(), header.size());
  h.width = static_cast<int>(h.c.param_in("width", 1, 32768));
  h.height = static_cast<int>(h.c.param_in("height", 1, 32768));
  if (static_cast<int64_t>(h.width) * h.height > (int64_t{1} << 28)) throw FormatError("frame size too large");
  h.fps_num = static_cast<int>(h.c.param_in("fps_num", 1, 1000000));
  h.fps_den = static_cast<int>(h.c.param_in("fps_den", 1, 1000000));
  return h;
}

// One frame record and its parts (pointers into `data`).
struct Record {
  std::vector<uint8_t> data;
  uint8_t type = kIntra;
  const uint8_t* motion = nullptr;
  size_t motion_size = 0;
  const uint8_t* picture = nullptr;  // I: the frame; P: the residual (size 0: none)
  size_t picture_size = 0;
};

// Returns false at the end marker (and checks that nothing follows it).
bool read_record(StreamReader& in, int64_t index, Record* r) {
  const auto len = static_cast<size_t>(in.varint(kMaxRecord, "frame length"));
  if (len == 0) {
    if (!in.at_eof()) throw FormatError("unexpected bytes after the end of the video stream");
    return false;
  }
  r->data = in.bytes(len, "frame");
  ByteReader rec(r->data.data(), r->data.size());
  r->type = rec.u8();
  r->motion = nullptr, r->motion_size = 0;
  if (r->type == kInter || r->type == kInterRefined) {
    if (index == 0) throw FormatError("the first frame is a P frame (it has nothing to refer to)");
    r->motion_size = static_cast<size_t>(rec.varint_max(rec.remaining(), "motion length"));
    r->motion = rec.bytes(r->motion_size);
    if (r->motion_size && rec.u32() != crc32(r->motion, r->motion_size))
      throw FormatError("frame " + std::to_string(index) + ": the motion field is corrupted (CRC mismatch)");
  } else if (r->type != kIntra) {
    throw FormatError("frame " + std::to_string(index) + " has unknown type " + std::to_string(r->type));
  }
  r->picture_size = rec.remaining();
  r->picture = rec.bytes(r->picture_size);
  if (r->type == kIntra && r->picture_size == 0) throw FormatError("frame " + std::to_string(index) + ": empty I frame");
  return true;
}

// A FILE* over a path ("-" = standard input) or over bytes in memory, closed when done.
struct Source {
  FILE* f = nullptr;
  bool owned = true;
  explicit Source(const std::string& path) {
    if (path == "-") {
      f = stdin, owned = false;
    } else if (!(f = std::fopen(path.c_str(), "rb"))) {
      throw Error("cannot open '" + path + "': " + std::strerror(errno));
    }
  }
  explicit Source(const std::vector<uint8_t>& bytes) {
    if (bytes.empty()) throw FormatError("the file is empty, not a vidcodec file");  // fmemopen refuses size 0
    f = fmemopen(const_cast<uint8_t*>(bytes.data()), bytes.size(), "rb");
    if (!f) throw Error("fmemopen failed");
  }
  ~Source() {
    if (owned) std::fclose(f);
  }
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;
};

Image decode_picture(const image::ImageCodec& codec, const uint8_t* p, size_t n, int width, int height, int64_t index) {
  Image img = codec.decode(std::vector<uint8_t>(p, p + n));
  if (img.width != width || img.height != height)
    throw FormatError("frame " + std::to_string(index) + " is " + std::to_string(img.width) + "x" +
                      std::to_string(img.height) + ", the header says " + std::to_string(width) + "x" + std::to_string(height));
  return img;
}

}  // namespace

namespace {

// What one encode of the clip gave: the file's bytes so far are counted by the caller's sink.
struct PassResult {
  int64_t frames = 0, intra_frames = 0;
  double psnr_sum = 0;  // per-frame PSNR of the reconstruction (RGB, as the encoder sees it), summed
  double first_q = 0;   // with a budget: the first I frame's rate level
};

// One encode of the clip's frames after the header. `write` takes the records and returns the file's size so far.
// With a budget (> 0, bytes of the whole file) each frame gets its share of it and the file never exceeds it;
// without one every frame is coded at opt.q.
class FramePass {
 public:
  FramePass(const VideoModels& models, const VideoEncodeOptions& opt, int64_t total, int width, int height)
      : models_(models), opt_(opt), total_(total), width_(width), height_(height) {}

  PassResult run(const std::string& input, double budget, const std::function<uint64_t(const uint8_t*, size_t)>& write,
                 const std::function<void(int64_t)>& progress) const;

 private:
  bool is_intra(int64_t n) const { return n == 0 || (opt_.intra_period > 0 && n % opt_.intra_period == 0); }
  const VideoModels& models_;
  const VideoEncodeOptions& opt_;
  int64_t total_;
  int width_, height_;
};

PassResult FramePass::run(const std::string& input, double budget, const std::function<uint64_t(const uint8_t*, size_t)>& write,
                          const std::function<void(int64_t)>& progress) const {
  const image::ImageCodec& codec = *models_.intra;
  const image::ImageCodec& res_codec = *models_.residual;
  const VideoEncodeOptions& opt = opt_;
  const int64_t total = total_;
  VideoReader reader(input, opt.raw);
  const double pixels = static_cast<double>(width_) * height_;
  const bool capped = budget > 0;
  double weights_left = 0;  // shares of the frames not coded yet
  if (capped)
    for (int64_t n = 0; n < total; ++n) weights_left += is_intra(n) ? kIntraWeight : 1.0;
  uint64_t written = write(nullptr, 0);
  PassResult r;
  Image ref;
  Frame420 f;
  // The P frames' rate level (with a target: from the last I frame's q), within the residual model's range (a low q
  // plus the offset may fall below it).
  const auto p_level = [&](double q) { return std::clamp(q + opt.p_q_offset, res_codec.q_min(), res_codec.q_max()); };
  double p_q = p_level(opt.q);
  for (int64_t n = 0; n < total; ++n) {
    if (!reader.read(f)) throw Error("'" + input + "' ended early (frame " + std::to_string(n) + ")");
    const Image cur = yuv420_to_rgb_bt709(f);
    const bool intra = is_intra(n);
    // This frame's byte allowance: its share of what is left (less the end marker); what a frame leaves unused
    // goes to the later ones.
    double target = 0;
    if (capped) {
      const double weight = intra ? kIntraWeight : 1.0;
      target = std::floor((budget - static_cast<double>(written) - 1) * weight / weights_left);
      weights_left -= weight;
    }
    // The file's hard limit for this frame: what is left less the end marker and the smallest record (3 bytes) of
    // each later frame.
    auto hard_limit = [&] { return budget - static_cast<double>(written) - 1 - 3.0 * static_cast<double>(total - n - 1); };
    ByteWriter rec;
    if (intra) {
      std::vector<uint8_t> bytes;
      if (capped) {
        const double avail = std::min(target, hard_limit()) - 5;  // its share, record length and type aside
        try {
          if (avail < 1) throw UsageError("no bytes left");
          const auto found = codec.encode_to_bpp(cur, 8.0 * avail / pixels, opt.intra_refine);
          bytes = found.bytes;
          p_q = p_level(found.q);
          if (n == 0) r.first_q = found.q;
        } catch (const UsageError& e) {
          throw Error("frame " + std::to_string(n) + " (intra): the target is too low for this clip (" + e.what() + ")");
        }
      } else {
        bytes = codec.encode(cur, opt.q, opt.intra_refine);
      }
      rec.u8(kIntra);
      rec.bytes(bytes.data(), bytes.size());
      ref = decode_picture(codec, bytes.data(), bytes.size(), width_, height_, n);
      ++r.intra_frames;
    } else {
      // Rate-distortion decisions with the image model's own trade-off at the P frames' rate level: its loss is
      // lambda(q) * 255^2 * MSE + bpp, i.e. per frame bits + lambda(q) * SSE / 3 (SSE over the RGB samples).
      // Motion search weighs luma SAD against bins with sad_lambda(lambda). At a rate target, lambda halves (bits
      // weigh more) until the field takes at most 80% of the frame's share (a frame without motion is a frozen frame).
      const Flow flow = optical_flow(cur, ref);
      MotionField field;
      std::vector<uint8_t> motion;
      const auto motion_cost = [&] { return static_cast<double>(motion.size() + varint_size(motion.size()) + (motion.empty() ? 0 : 4)); };
      for (double lambda = res_codec.model().net->config().lambda(p_q);; lambda /= 2) {
        motion = choose_motion(cur, ref, flow, lambda, &field, opt.motion_coding);
        if (!capped || motion_cost() <= 0.8 * (target - 5) || sad_lambda(lambda) == kMaxSadLambda) break;
      }
      const double hard = hard_limit() - 5;
      if (capped && motion_cost() > hard) {
        motion.clear();  // no room for any field: zero motion, no residual
        field = MotionField::zero(width_, height_);
      }
      Image pred = compensate(ref, field);
      bool refined = false;
      if (models_.refiner) {  // refine where it lowers the error
        Image better = models_.refiner->refine(pred);
        if (sse(cur, better) < sse(cur, pred)) pred = std::move(better), refined = true;
      }
      // The residual: candidates at full size and at half size (a smooth correction for about a quarter of the
      // bits, coded downscaled and upscaled by the image decoder; at the P level and two above); with a target,
      // full size filling the frame's share. The one with the lowest bits + lambda SSE / 3 wins, and none where
      // no candidate beats the prediction alone (a residual must pay for its bits).
      const Image res = residual_picture(cur, pred);
      std::vector<std::pair<std::vector<uint8_t>, double>> candidates;  // bytes and their rate level
      if (!capped) {
        for (const auto& [scale, dq] : {std::pair{1, 0.0}, std::pair{2, 0.0}, std::pair{2, 2.0}})
          if (scale == 1 || std::min(width_, height_) >= 16 * scale)
            candidates.emplace_back(res_codec.encode(res, std::min(p_q + dq, res_codec.q_max()), 0, scale), p_q);
      } else {
        const double avail = std::min(target, hard) - 5 - motion_cost();
        if (avail >= 16) {
          try {
            // Full size only: half size here fills each frame's share with cheap corrections where the I frame
            // would have paid more (vtest 53 kbit/s in 3 passes: 27.72 dB against 27.96; docs/video-codec.md).
            auto found = res_codec.encode_to_bpp(res, 8.0 * avail / pixels, 0, 1);
            candidates.emplace_back(std::move(found.bytes), found.q);
          } catch (const UsageError&) {  // even the lowest rate does not fit: prediction only
          }
        }
      }
      std::vector<uint8_t> residual;
      Image pred_with;
      double best_gain = 0;
      for (auto& [bytes, level] : candidates) {
        const double lambda = res_codec.model().net->config().lambda(level);
        Image with = pred;
        add_residual(with, decode_picture(res_codec, bytes.data(), bytes.size(), width_, height_, n));
        const double gain = lambda * (sse(cur, pred) - sse(cur, with)) / 3.0 - 8.0 * static_cast<double>(bytes.size());
        if (gain > best_gain) best_gain = gain, residual = std::move(bytes), pred_with = std::move(with);
      }
      if (!residual.empty()) pred = std::move(pred_with);
      rec.u8(refined ? kInterRefined : kInter);
      rec.varint(motion.size());
      rec.bytes(motion.data(), motion.size());
      if (!motion.empty()) rec.u32(crc32(motion.data(), motion.size()));
      rec.bytes(residual.data(), residual.size());
      ref = std::move(pred);
    }
    ByteWriter len;
    len.varint(rec.size());
    write(len.data().data(), len.size());
    written = write(rec.data().data(), rec.size());
    if (capped && static_cast<double>(written) + 1 > budget)
      throw Error("frame " + std::to_string(n) + ": the target is too low for this clip (the frames need at least 3 bytes each)");
    const double mse = sse(cur, ref) / (3.0 * pixels);
    r.psnr_sum += mse > 0 ? std::min(100.0, 10.0 * std::log10(255.0 * 255.0 / mse)) : 100.0;
    ++r.frames;
    if (progress) progress(r.frames);
  }
  const uint8_t end = 0;
  write(&end, 1);
  return r;
}

}  // namespace

VideoEncodeResult encode_video(const VideoModels& models, const std::string& input, const std::string& output,
                               const VideoEncodeOptions& opt, const std::function<void(int64_t, int64_t)>& progress) {
  if (opt.intra_period != -1 && opt.intra_period < 1) throw UsageError("the intra period must be -1 or positive");
  if (opt.passes < 1) throw UsageError("the number of passes must be at least 1");
  const image::ImageCodec& codec = *models.intra;
  const image::ImageCodec& res_codec = *models.residual;
  VideoEncodeResult r;
  int64_t total = 0;
  {  // First read: the frame count (the rate budget is shared over the frames).
    VideoReader count(input, opt.raw);
    Frame420 f;
    while ((opt.max_frames <= 0 || total < opt.max_frames) && count.read(f)) ++total;
    r.width = count.width(), r.height = count.height(), r.fps = count.fps();
  }
  if (total == 0) throw Error("'" + input + "' holds no video frames");
  int fps_num = 25, fps_den = 1;
  rational_fps(r.fps, &fps_num, &fps_den);
  r.fps = static_cast<double>(fps_num) / fps_den;

  Container c;
  c.codec = CodecKind::kVideo;
  c.model = kModel;
  c.model_version = codec.model().version;
  c.set_param("width", r.width);
  c.set_param("height", r.height);
  c.set_param("fps_num", fps_num);
  c.set_param("fps_den", fps_den);
  c.set_param("intra_period", opt.intra_period);
  c.set_param("residual_version", res_codec.model().version);
  if (!valid_motion_coding(opt.motion_coding)) throw UsageError("the motion coding must be 1 or 2");
  if (opt.motion_coding != 1) c.set_param("motion_coding", opt.motion_coding);  // coding 1: the files of before
  if (models.refiner) c.set_param("refiner_version", models.refiner->version());
  const auto header = write_container(c);
  ByteWriter head;
  head.bytes(kMagic, 4);
  head.varint(header.size());
  head.bytes(header.data(), header.size());

  const FramePass pass(models, opt, total, r.width, r.height);
  const double pixels = static_cast<double>(r.width) * r.height;
  const bool capped = opt.kbps > 0 || opt.bpp > 0;
  const double seconds = static_cast<double>(total) / r.fps;
  const double budget = !capped ? 0
                        : opt.kbps > 0 ? std::floor(opt.kbps * 1000.0 / 8.0 * seconds)
                                       : std::floor(opt.bpp * pixels * static_cast<double>(total) / 8.0);
  r.target_bytes = static_cast<int64_t>(budget);
  // Passes over the clip only with a cap, and only while the file fits in memory (it is at most the budget).
  const int passes = capped && budget <= kMaxPassBytes ? opt.passes : 1;
  AtomicFileWriter out(output);
  PassResult kept;
  if (passes == 1) {
    out.write(head.data().data(), head.size());
    kept = pass.run(input, budget, [&](const uint8_t* p, size_t n) {
      if (n) out.write(p, n);
      return out.bytes_written();
    }, [&](int64_t done) { if (progress) progress(done, total); });
  } else {
    // Rate control over the whole clip. Pass 1 gives each frame a share of the target (a valid file, but the
    // shares are fixed before the later frames show what they will spend, and each residual fills its share
    // whatever it buys). The later passes code the clip at one rate level, with the decisions of a --q encode
    // (the same lambda everywhere, so the bits go where they buy the most), searching the level whose file
    // lands just under the target: the first at pass 1's I-frame level, the next along log(bytes) linear in q
    // (1.7x per level until two passes give the slope; between the nearest levels that fit and that do not,
    // once there are both). A file over the target is never kept; of those that
    // fit, the best mean PSNR (the encoder's own reconstruction) is written. A pass within 3% of the target
    // ends the search.
    std::vector<uint8_t> best, buf;
    VideoEncodeOptions fixed = opt;  // at_level reads its q at each run
    fixed.kbps = fixed.bpp = 0;
    const FramePass at_level(models, fixed, total, r.width, r.height);
    struct OverTarget {};  // a fixed-level pass stops once it passes the target: it cannot be kept
    int64_t frames_done = 0;
    double q = 0, last_q = 0, last_bytes = 0, slope = std::log(1.7);
    double fit_q = -1e9, over_q = 1e9;  // the highest level seen to fit, the lowest seen not to
    double fit_bytes = 0, over_bytes = 0;
    for (int k = 0; k < passes; ++k) {
      buf.assign(head.data().begin(), head.data().end());
      const auto sink = [&](const uint8_t* p, size_t n) {
        buf.insert(buf.end(), p, p + n);
        if (k > 0 && static_cast<double>(buf.size()) > budget) throw OverTarget{};
        return static_cast<uint64_t>(buf.size());
      };
      frames_done = 0;
      const auto step = [&](int64_t done) {
        frames_done = done;
        if (progress) progress(k * total + done, passes * total);
      };
      PassResult got;
      bool fits = true;
      if (k == 0) {
        got = pass.run(input, budget, sink, step);
        q = got.first_q;
      } else {
        fixed.q = q;
        try {
          got = at_level.run(input, 0, sink, step);
        } catch (const OverTarget&) {
          fits = false;
        }
      }
      // An abandoned pass's size, extrapolated from the frames it coded.
      const double bytes = fits ? static_cast<double>(buf.size())
                                : static_cast<double>(buf.size()) * static_cast<double>(total) / static_cast<double>(std::max<int64_t>(1, frames_done));
      const bool better = fits && (best.empty() || got.psnr_sum > kept.psnr_sum);
      r.passes = k + 1;
      r.pass_log.push_back({static_cast<int64_t>(bytes), fits ? got.psnr_sum / static_cast<double>(got.frames) : 0, k == 0 ? got.first_q : q, k > 0, !fits});
      if (better) best.swap(buf), kept = got, r.kept_pass = k + 1;
      if (k > 0) {
        if (fits && bytes >= 0.97 * budget) break;
        if (fits && q > fit_q) fit_q = q, fit_bytes = bytes;
        if (!fits && q < over_q) over_q = q, over_bytes = bytes;
        if (k > 1 && q != last_q && bytes > 0 && last_bytes > 0) {
          const double s = (std::log(bytes) - std::log(last_bytes)) / (q - last_q);
          if (s > 0.05 && s < 5) slope = s;
        }
        last_q = q, last_bytes = bytes;
      }
      // The next level: where log(bytes) meets 98.5% of the target, strictly between the levels known to fit and
      // not to, within the model's range, to 1/100 of a level.
      double next = k == 0 ? q : q + (std::log(0.985 * budget) - std::log(bytes)) / slope;
      if (fit_q > -1e8 && over_q < 1e8 && over_bytes > fit_bytes)  // bracketed: interpolate between the two
        next = fit_q + (std::log(0.985 * budget) - std::log(fit_bytes)) / (std::log(over_bytes) - std::log(fit_bytes)) * (over_q - fit_q);
      const double lo = std::max(codec.q_min(), fit_q + 0.01), hi = std::min(codec.q_max(), over_q - 0.01);
      if (lo > hi) break;  // nothing left between them
      q = std::round(std::clamp(next, lo, hi) * 100) / 100;
      if (k > 0 && q == last_q) break;
    }
    out.write(best.data(), best.size());
    if (progress) progress(passes * total, passes * total);
  }
  r.frames = kept.frames;
  r.intra_frames = kept.intra_frames;
  r.bytes = static_cast<int64_t>(out.bytes_written());
  out.commit();
  r.kbps = static_cast<double>(r.bytes) * 8.0 / 1000.0 / (static_cast<double>(r.frames) / r.fps);
  r.bpp = static_cast<double>(r.bytes) * 8.0 / (pixels * static_cast<double>(r.frames));
  return r;
}

namespace {

VideoDecodeResult decode_stream(const VideoModels& models, FILE* f, const std::string& output) {
  const image::ImageCodec& codec = *models.intra;
  StreamReader in(f);
  const Header h = read_header(in);
  h.c.expect(CodecKind::kVideo, kModel, codec.model().version);
  const auto residual_version = h.c.param_in("residual_version", 0, int64_t{1} << 31);
  if (residual_version != models.residual->model().version)
    throw FormatError("this file's P-frame residuals need residual model version " + std::to_string(residual_version) +
                      "; the one given is version " + std::to_string(models.residual->model().version) +
                      " (vidcodec --residual-model FILE)");
  // Files written before motion coding 2 carry no motion_coding.
  const int motion_coding = h.c.has_param("motion_coding") ? static_cast<int>(h.c.param_in("motion_coding", 1, kMotionCoding)) : 1;
  const PredictionRefiner* refiner = nullptr;
  if (h.c.has_param("refiner_version")) {
    const auto version = h.c.param_in("refiner_version", 1, UINT32_MAX);
    if (!models.refiner || models.refiner->version() != version)
      throw FormatError("this file's P frames need the prediction refiner version " + std::to_string(version) + (models.refiner ? "; the one given is version " + std::to_string(models.refiner->version()) : "; none is loaded") + " (vidcodec --refiner FILE)");
    refiner = models.refiner;
  }
  VideoDecodeResult r;
  r.width = h.width, r.height = h.height, r.fps_num = h.fps_num, r.fps_den = h.fps_den;
  VideoWriter writer(output, r.width, r.height, r.fps_num, r.fps_den);
  Image ref;
  Record rec;
  while (read_record(in, r.frames, &rec)) {
    if (rec.type == kIntra) {
      ref = decode_picture(codec, rec.picture, rec.picture_size, h.width, h.height, r.frames);
      ++r.intra_frames;
    } else {
      const MotionField field = rec.motion_size ? decode_motion(rec.motion, rec.motion_size, h.width, h.height, motion_coding)
                                                : MotionField::zero(h.width, h.height);
      Image pred = compensate(ref, field);
      if (rec.type == kInterRefined) {
        if (!refiner) throw FormatError("frame " + std::to_string(r.frames) + " is a refined P frame, but the header names no refiner");
        pred = refiner->refine(pred);
      }
      if (rec.picture_size) add_residual(pred, decode_picture(*models.residual, rec.picture, rec.picture_size, h.width, h.height, r.frames));
      ref = std::move(pred);
    }
    writer.write(rgb_to_yuv420_bt709(ref));
    ++r.frames;
  }
  writer.close();
  return r;
}

VideoInfo inspect_stream(FILE* f, uint64_t file_bytes) {
  StreamReader in(f);
  const Header h = read_header(in);
  VideoInfo info;
  info.header = describe_container(h.c, file_bytes);
  Record rec;
  while (read_record(in, info.frames, &rec)) {
    ++info.frames;
    if (rec.type == kIntra) {
      ++info.intra_frames;
      info.intra_bytes += static_cast<int64_t>(rec.picture_size);
    } else {
      info.motion_bytes += static_cast<int64_t>(rec.motion_size);
      info.refined_frames += rec.type == kInterRefined;
      info.residual_bytes += static_cast<int64_t>(rec.picture_size);
      if (rec.picture_size) {
        ++info.residual_frames;
        const Container residual = read_container(rec.picture, rec.picture_size);
        info.downscaled_residuals += residual.has_param("s") && residual.param("s") > 1;
      }
    }
  }
  return info;
}

}  // namespace

VideoDecodeResult decode_video(const VideoModels& models, const std::string& input, const std::string& output) {
  Source src(input);
  return decode_stream(models, src.f, output);
}

VideoDecodeResult decode_video(const VideoModels& models, const std::vector<uint8_t>& bitstream, const std::string& output) {
  Source src(bitstream);
  return decode_stream(models, src.f, output);
}

VideoInfo inspect_video(const std::string& input) {
  Source src(input);
  std::error_code ec;
  const auto size = input == "-" ? 0 : std::filesystem::file_size(input, ec);
  return inspect_stream(src.f, ec ? 0 : size);
}

VideoInfo inspect_video(const std::vector<uint8_t>& bitstream) {
  Source src(bitstream);
  return inspect_stream(src.f, bitstream.size());
}

}  // namespace nicodec::codecs::video
