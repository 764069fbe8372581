// nicodec: the learned image codec.
//   nicodec encode photo.png --bpp 0.05 -o photo.nic     (also -bpp 0.05; or --quality 0..100; or --q LEVEL)
//   nicodec decode photo.nic -o photo.png
//   nicodec info photo.nic
// Thin: parses arguments and calls codecs/image.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "apps/app_util.h"
#include "codecs/image/codec.h"
#include "core/container.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/media/image_io.h"
#include "core/model_path.h"
#include "core/torch_runtime.h"

int main(int argc, char** argv) {
  using namespace nicodec;
  using apps::Clock, apps::seconds_since, apps::with_extension;
  using codecs::image::ImageCodec;
  CLI::App app{"nicodec: learned image compression (mean-scale hyperprior, one model; its top rate level spends about 0.5 bpp on photos).\n"
               "Exit status: 0 ok, 1 error (message on stderr), 2 bad arguments."};
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand
  std::string model_path, in, out;
  int threads = 0;
  bool quiet = false;
  app.add_option("--model", model_path, std::string("model file (default: ") + codecs::image::kModelFile + " from data/models)");
  app.add_option("--threads", threads, "CPU threads (default: $NICODEC_THREADS or all cores)")->check(CLI::Range(1, 1024));
  app.add_flag("--quiet", quiet, "print nothing but errors");

  auto* enc = app.add_subcommand("encode", "compress an image (PNG, JPEG, PPM, TIFF, WebP, BMP) to a .nic file");
  double bpp = 0, quality = -1, q = -100;
  enc->add_option("input", in, "image file")->required();
  enc->add_option("-o,--output", out, "output file (default: input with .nic)");
  auto* o_bpp = enc->add_option("--bpp", bpp,
                                "target bits per pixel: the file, headers included, is at most this and within 5% of it "
                                "(the rate knob is searched per image). Below the lowest rate the model reaches on the "
                                "image, encoding fails and says that rate; above the highest, the best-quality file is "
                                "written and a note says it is smaller than asked");
  auto* o_quality = enc->add_option("--quality", quality, "fixed quality 0 (smallest) .. 100 (best), default 50");
  auto* o_q = enc->add_option("--q", q, "raw rate level of the model (-4 .. levels-1; trained from -2)");
  o_bpp->excludes(o_quality)->excludes(o_q);
  o_quality->excludes(o_q);
  int refine = 30;
  enc->add_option("--refine", refine,
                  "encoder effort: gradient steps that fit the latents to this picture (about 0.2 s each for "
                  "768x512 on 2 cores; 0 = off, the fastest encode). Same decoder; skipped above 4 megapixels")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  int max_downscale = 4;
  enc->add_option("--max-downscale", max_downscale,
                  "with --bpp: at low targets also code the picture at 1/2 (and 1/4) size, upscaled by the decoder, "
                  "and keep whichever decodes closer to the original; 1 = always full size")
      ->check(CLI::IsMember({1, 2, 4}))
      ->capture_default_str();

  auto* dec = app.add_subcommand("decode", "decompress a .nic file to an image (format from the extension)");
  dec->add_option("input", in, "a .nic file")->required();
  dec->add_option("-o,--output", out, "output image (default: input with .png)");
  bool float_synthesis = false;
  dec->add_flag("--float", float_synthesis, "run the synthesis transform in float instead of int8 (slower, slightly better)");

  auto* info = app.add_subcommand("info", "print what a .nic file holds");
  info->add_option("input", in, "a .nic file")->required();

  try {
    app.parse(apps::cli_args(argc, argv, {"bpp", "quality", "model", "threads", "q", "refine", "max-downscale"}));
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help is a "parse error" that exits 0
  }
  try {
    if (*info) {
      const auto bytes = read_file(in);
      std::printf("%s: %s", in.c_str(), describe_container(read_container(bytes), bytes.size()).c_str());
      return 0;
    }
    setup_torch_threads(threads);
    const auto t_load = Clock::now();
    const std::string mp = model_path.empty() ? find_model(codecs::image::kModelFile) : model_path;
    ImageCodec codec(codecs::image::load_model(mp));
    const double load_s = seconds_since(t_load);
    if (*enc) {
      if (out.empty()) out = with_extension(in, ".nic");
      std::vector<std::string> notices;
      const Image img = read_image(in, &notices);
      if (!quiet)
        for (const auto& n : notices) std::fprintf(stderr, "note: %s\n", n.c_str());
      const auto t0 = Clock::now();
      codec.set_refinement_steps(refine);
      codec.set_max_downscale(max_downscale);
      if (refine > 0 && static_cast<int64_t>(img.width) * img.height > codecs::image::kMaxRefinePixels && !quiet)
        std::fprintf(stderr, "note: %dx%d is over 4 megapixels: coded without --refine\n", img.width, img.height);
      std::vector<uint8_t> bytes;
      double used_q;
      int scale = 1;
      if (*o_bpp) {
        auto r = codec.encode_to_bpp(img, bpp);
        if (r.hit_max && !quiet)
          std::fprintf(stderr, "note: even the best quality spends only %.4f bpp, below the %.4f asked\n", r.bpp, bpp);
        bytes = std::move(r.bytes);
        used_q = r.q;
        scale = r.scale;
      } else {
        used_q = *o_q ? q : codec.q_from_quality(*o_quality ? quality : 50.0);
        bytes = codec.encode(img, used_q);
      }
      write_file_atomic(out, bytes);
      if (!quiet)
        std::fprintf(stderr, "%s: %dx%d -> %s, %zu bytes, %.4f bpp, q %.3f%s, %.2f s (+%.2f s model load)\n",
                     in.c_str(), img.width, img.height, out.c_str(), bytes.size(),
                     8.0 * static_cast<double>(bytes.size()) / (static_cast<double>(img.width) * img.height), used_q,
                     scale > 1 ? (" at 1/" + std::to_string(scale) + " size").c_str() : "", seconds_since(t0), load_s);
    } else if (*dec) {
      if (out.empty()) out = with_extension(in, ".png");
      const auto t0 = Clock::now();
      codec.set_int8_synthesis(!float_synthesis);
      const Image img = codec.decode(read_file(in, size_t{1} << 31));
      write_image(out, img);
      if (!quiet)
        std::fprintf(stderr, "%s -> %s (%dx%d), %.2f s (+%.2f s model load), %s synthesis\n", in.c_str(), out.c_str(),
                     img.width, img.height, seconds_since(t0), load_s, codec.int8_synthesis() ? "int8" : "float");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nicodec: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
