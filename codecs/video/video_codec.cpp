#include "codecs/video/intra_codec.h"

#include <cmath>
#include <cstring>
#include <numeric>

#include "core/byte_io.h"
#include "core/container.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/media/color.h"
#include "core/media/video_io.h"

namespace nicodec::codecs::video {

namespace {

constexpr char kMagic[4] = {'N', 'C', 'V', '1'};
constexpr const char* kModel = "vidcodec-intra";
constexpr size_t kMaxRecord = size_t{1} << 28;

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

}  // namespace

IntraEncodeResult encode_intra_video(const image::ImageCodec& codec, const std::string& input, const std::string& output,
                                     const IntraEncodeOptions& opt, const std::function<void(int64_t, int64_t)>& progress) {
  IntraEncodeResult r;
  int64_t total = 0;
  {  // First pass: the frame count (the rate budget is per frame).
    VideoReader count(input);
    Frame420 f;
    while ((opt.max_frames <= 0 || total < opt.max_frames) && count.read(f)) ++total;
  }
  if (total == 0) throw Error("'" + input + "' holds no video frames");
  VideoReader reader(input);
  r.width = reader.width(), r.height = reader.height(), r.fps = reader.fps();
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
  const auto header = write_container(c);
  ByteWriter out;
  out.bytes(kMagic, 4);
  out.varint(header.size());
  out.bytes(header.data(), header.size());

  // Per-frame budget: the file's allowance less the header and the end marker, shared equally; a record's
  // length prefix (at most 4 bytes for frames below 2^28) comes out of each share.
  double frame_bpp = 0;
  const double pixels = static_cast<double>(r.width) * r.height;
  if (opt.kbps > 0 || opt.bpp > 0) {
    const double seconds = static_cast<double>(total) / r.fps;
    const double budget = opt.kbps > 0 ? std::floor(opt.kbps * 1000.0 / 8.0 * seconds) : std::floor(opt.bpp * pixels * static_cast<double>(total) / 8.0);
    const double per_frame = std::floor((budget - static_cast<double>(out.data().size()) - 1) / static_cast<double>(total)) - 4;
    if (per_frame < 1) throw Error("the target is too low for this clip: the headers alone exceed it");
    frame_bpp = 8.0 * per_frame / pixels;
  }
  Frame420 f;
  for (int64_t n = 0; n < total; ++n) {
    if (!reader.read(f)) throw Error("'" + input + "' ended early (frame " + std::to_string(n) + ")");
    const Image rgb = yuv420_to_rgb_bt709(f);
    std::vector<uint8_t> bytes;
    if (frame_bpp > 0) {
      try {
        bytes = codec.encode_to_bpp(rgb, frame_bpp).bytes;
      } catch (const UsageError& e) {
        throw Error("frame " + std::to_string(n) + ": " + e.what() + " (intra-only coding needs at least this per frame)");
      }
    } else {
      bytes = codec.encode(rgb, opt.q);
    }
    out.varint(bytes.size());
    out.bytes(bytes.data(), bytes.size());
    ++r.frames;
    if (progress) progress(r.frames, total);
  }
  out.varint(0);
  const auto data = out.take();
  write_file_atomic(output, data);
  r.bytes = static_cast<int64_t>(data.size());
  r.kbps = static_cast<double>(r.bytes) * 8.0 / 1000.0 / (static_cast<double>(r.frames) / r.fps);
  r.bpp = static_cast<double>(r.bytes) * 8.0 / (pixels * static_cast<double>(r.frames));
  return r;
}

IntraDecodeResult decode_intra_video(const image::ImageCodec& codec, const std::vector<uint8_t>& bitstream,
                                     const std::string& output) {
  if (bitstream.size() < 4 || std::memcmp(bitstream.data(), kMagic, 4) != 0)
    throw FormatError("not a vidcodec file (no NCV1 magic)");
  ByteReader in(bitstream.data() + 4, bitstream.size() - 4);
  const auto header_len = static_cast<size_t>(in.varint_max(in.remaining(), "header length"));
  const Container c = read_container(in.bytes(header_len), header_len);
  c.expect(CodecKind::kVideo, kModel, codec.model().version);
  IntraDecodeResult r;
  r.width = static_cast<int>(c.param_in("width", 1, 32768));
  r.height = static_cast<int>(c.param_in("height", 1, 32768));
  if (static_cast<int64_t>(r.width) * r.height > (int64_t{1} << 28)) throw FormatError("frame size too large");
  r.fps_num = static_cast<int>(c.param_in("fps_num", 1, 1000000));
  r.fps_den = static_cast<int>(c.param_in("fps_den", 1, 1000000));
  VideoWriter writer(output, r.width, r.height, r.fps_num, r.fps_den);
  for (;;) {
    const auto len = static_cast<size_t>(in.varint_max(std::min(in.remaining(), kMaxRecord), "frame length"));
    if (len == 0) break;
    const uint8_t* p = in.bytes(len);
    const Image img = codec.decode(std::vector<uint8_t>(p, p + len));
    if (img.width != r.width || img.height != r.height)
      throw FormatError("frame " + std::to_string(r.frames) + " is " + std::to_string(img.width) + "x" +
                        std::to_string(img.height) + ", the header says " + std::to_string(r.width) + "x" + std::to_string(r.height));
    writer.write(rgb_to_yuv420_bt709(img));
    ++r.frames;
  }
  if (!in.at_end()) throw FormatError(std::to_string(in.remaining()) + " unexpected bytes after the end of the video stream");
  writer.close();
  return r;
}

}  // namespace nicodec::codecs::video
