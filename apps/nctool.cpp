// nctool: inspect NiCodec files and code images losslessly.
//   nctool info FILE
//   nctool encode-lossless IMAGE -o FILE.ncl
//   nctool decode-lossless FILE.ncl -o IMAGE.png
//   nctool quantize-model MODEL.st.zst --format int8 -o OUT.st.zst
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <string>

#include "codecs/lossless/lossless_image.h"
#include "core/container.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/media/image_io.h"
#include "core/media/synthetic_video.h"
#include "quant/quantize_model.h"

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int cmd_info(const std::string& path) {
  const auto bytes = nicodec::read_file(path);
  std::printf("%s: %s", path.c_str(), nicodec::describe_container(nicodec::read_container(bytes), bytes.size()).c_str());
  return 0;
}

int cmd_encode(const std::string& in, const std::string& out, bool quiet) {
  std::vector<std::string> notices;
  const auto t0 = Clock::now();
  const nicodec::Image img = nicodec::read_image(in, &notices);
  if (!quiet)
    for (const auto& n : notices) std::fprintf(stderr, "note: %s\n", n.c_str());
  const auto bytes = nicodec::lossless::encode(img);
  nicodec::write_file_atomic(out, bytes);
  if (!quiet)
    std::fprintf(stderr, "%s: %dx%d -> %s, %zu bytes, %.3f bpp, %.2f s\n", in.c_str(), img.width, img.height, out.c_str(),
                 bytes.size(), 8.0 * static_cast<double>(bytes.size()) / (double(img.width) * img.height), seconds_since(t0));
  return 0;
}

int cmd_decode(const std::string& in, const std::string& out, bool quiet) {
  const auto t0 = Clock::now();
  const nicodec::Image img = nicodec::lossless::decode(nicodec::read_file(in));
  nicodec::write_image(out, img);
  if (!quiet) std::fprintf(stderr, "%s -> %s (%dx%d), %.2f s\n", in.c_str(), out.c_str(), img.width, img.height, seconds_since(t0));
  return 0;
}

int cmd_quantize(const std::string& in, const std::string& out, const std::string& format, bool quiet) {
  const auto f = nicodec::quant::parse_format(format);
  const auto model = nicodec::quant::ModelFile::load(in);
  std::vector<nicodec::quant::TensorReport> report;
  const auto q = nicodec::quant::quantize_model(model, f, &report);
  q.save(out);
  if (quiet) return 0;
  size_t before = 0, after = 0;
  std::printf("%-40s %-18s %-8s %12s %12s %9s\n", "tensor", "shape", "format", "bytes", "quantized", "SQNR dB");
  for (const auto& r : report) {
    std::string shape;
    for (size_t i = 0; i < r.shape.size(); ++i) shape += (i ? "x" : "") + std::to_string(r.shape[i]);
    std::printf("%-40s %-18s %-8s %12zu %12zu %9.2f\n", r.name.c_str(), shape.c_str(), r.format.c_str(), r.bytes_before,
                r.bytes_after, r.sqnr_db);
    before += r.bytes_before;
    after += r.bytes_after;
  }
  std::printf("tensor data %zu -> %zu bytes; file %s: %zu bytes (zstd)\n", before, after, out.c_str(),
              nicodec::read_file(out).size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nctool: inspect NiCodec bitstreams and code images losslessly"};
  app.require_subcommand(1);
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "Print nothing but errors");
  std::string info_path, in, out;
  auto* info = app.add_subcommand("info", "Print what a NiCodec file holds (codec, model, parameters, sections)");
  info->add_option("file", info_path, "A NiCodec file")->required();
  auto* enc = app.add_subcommand("encode-lossless", "Code an image exactly (PNG, JPEG, PPM, TIFF, WebP, BMP in)");
  enc->add_option("input", in, "Image to code")->required();
  enc->add_option("-o,--output", out, "Output file (.ncl)")->required();
  auto* dec = app.add_subcommand("decode-lossless", "Decode a lossless NiCodec file to an image");
  dec->add_option("input", in, "File made by encode-lossless")->required();
  dec->add_option("-o,--output", out, "Output image; the extension picks the format (.png, .ppm, .tif, ...)")->required();
  std::string format = "int8";
  auto* quantize = app.add_subcommand("quantize-model", "Quantize a float model file's weights and report the error per tensor");
  quantize->add_option("input", in, "Model file (.st.zst: zstd-compressed safetensors)")->required();
  quantize->add_option("-f,--format", format, "int8, int4g32, int4g64, ternary, binary, mxfp4 or nvfp4")->capture_default_str();
  quantize->add_option("-o,--output", out, "Output model file")->required();
  std::string size = "1920x1080", path_spec;
  int frames = 96, fps = 30;
  auto* pan = app.add_subcommand("make-pan", "Render a synthetic camera pan/zoom over a photo as YUV 4:2:0 video "
                                             "(BT.709, sub-pixel motion): test clips where no real footage exists");
  pan->add_option("input", in, "Photo")->required();
  pan->add_option("-o,--output", out, "Output video (.y4m, or raw .yuv)")->required();
  pan->add_option("--size", size, "Frame size WxH")->capture_default_str();
  pan->add_option("--frames", frames, "Frame count")->check(CLI::Range(1, 100000))->capture_default_str();
  pan->add_option("--fps", fps, "Frame rate")->check(CLI::Range(1, 1000))->capture_default_str();
  pan->add_option("--path", path_spec,
                  "cx0,cy0,s0,cx1,cy1,s1: camera centre (photo pixels) and scale (photo pixels per output pixel) at "
                  "the first and last frame")->required();
  CLI11_PARSE(app, argc, argv);
  try {
    if (*pan) {
      nicodec::CameraPath p{};
      int w = 0, h = 0;
      if (std::sscanf(size.c_str(), "%dx%d", &w, &h) != 2 || w < 2 || h < 2 || w > 16384 || h > 16384)
        throw nicodec::UsageError("--size must be WxH, e.g. 1920x1080");
      if (std::sscanf(path_spec.c_str(), "%lf,%lf,%lf,%lf,%lf,%lf", &p.cx0, &p.cy0, &p.scale0, &p.cx1, &p.cy1, &p.scale1) != 6)
        throw nicodec::UsageError("--path needs six numbers: cx0,cy0,s0,cx1,cy1,s1");
      const nicodec::Image photo = nicodec::read_image(in);
      nicodec::VideoWriter writer(out, w, h, fps, 1);
      nicodec::render_camera_path(photo, w, h, frames, p, writer);
      writer.close();
      if (!quiet) std::fprintf(stderr, "%s: %d frames of %dx%d -> %s\n", in.c_str(), frames, w, h, out.c_str());
      return 0;
    }
    if (*info) return cmd_info(info_path);
    if (*enc) return cmd_encode(in, out, quiet);
    if (*dec) return cmd_decode(in, out, quiet);
    if (*quantize) return cmd_quantize(in, out, format, quiet);
  } catch (const nicodec::Error& e) {
    std::fprintf(stderr, "nctool: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nctool: internal error: %s\n", e.what());
    return 3;
  }
  return 0;
}
