// audiocodec: the neural speech and audio codec.
//   audiocodec encode talk.wav --kbps 1.4 -o talk.nac    (also: audiocodec --kbps 1.4 talk.wav -o talk.nac)
//   audiocodec decode talk.nac -o talk.wav                ("-" reads standard input / writes standard output)
//   audiocodec info talk.nac
// Thin: parses arguments and calls codecs/audio.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "apps/app_util.h"
#include "codecs/audio/file_codec.h"
#include "codecs/audio/model_io.h"
#include "core/container.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/model_path.h"
#include "core/progress.h"
#include "core/torch_runtime.h"

int main(int argc, char** argv) {
  using namespace nicodec;
  using apps::Clock, apps::seconds_since, apps::with_extension;
  CLI::App app{"audiocodec: neural speech and audio compression, 0.25-6 kbit/s, one model for every rate.\n"
               "Without a subcommand, encodes: audiocodec --kbps 1.4 in.wav -o out.nac.\n"
               "Exit status: 0 ok, 1 error (message on stderr), 2 bad arguments."};
  app.require_subcommand(1);
  app.fallthrough();
  std::string model_path, in, out;
  int threads = 0;
  bool quiet = false;
  app.add_option("--model", model_path, std::string("model file (default: ") + codecs::audio::kModelFile + " from data/models)");
  app.add_option("--threads", threads, "CPU threads (default: $NICODEC_THREADS or all cores)")->check(CLI::Range(1, 1024));
  app.add_flag("--quiet", quiet, "print nothing but errors");

  auto* enc = app.add_subcommand("encode", "compress audio (WAV, FLAC, OGG, MP3, M4A, Opus..., any rate and channels; "
                                           "'-' = standard input) to a .nac file");
  double kbps = 0, stages = 6;
  enc->add_option("input", in, "audio file, or - for standard input (WAV/FLAC/OGG)")->required();
  enc->add_option("-o,--output", out, "output file (default: input with .nac; - = standard output)");
  auto* o_kbps = enc->add_option("--kbps", kbps,
                                 "bitrate cap: the whole file, headers included, is at most this many kbit/s over the "
                                 "input's duration (the most RVQ stages that fit, in 1/16 steps); fails, naming the lowest "
                                 "possible rate, when even one stage does not fit")
                     ->check(CLI::Range(0.01, 1000.0));
  auto* o_stages = enc->add_option("--stages", stages, "fixed average RVQ stage count (1-24, 1/16 steps; 0.25 kbit/s nominal "
                                                       "each before entropy coding), default 6 (about 1.4 kbit/s)")
                       ->check(CLI::Range(1.0, 64.0));
  o_kbps->excludes(o_stages);

  auto* dec = app.add_subcommand("decode", "decompress a .nac file to audio at the source's sample rate and channel count "
                                           "(WAV, FLAC or OGG by extension, written as it decodes)");
  dec->add_option("input", in, "a .nac file, or - for standard input")->required();
  dec->add_option("-o,--output", out, "output file (default: input with .wav; - = WAV on standard output)");

  auto* info = app.add_subcommand("info", "print what a .nac file holds");
  info->add_option("input", in, "a .nac file")->required();

  std::vector<std::string> args;
  for (int i = 0; i < argc; ++i) args.emplace_back(argv[i]);
  // Encoding is the default action: insert "encode" unless a subcommand or help was asked for.
  bool has_sub = false;
  for (size_t i = 1; i < args.size(); ++i)
    if (args[i] == "encode" || args[i] == "decode" || args[i] == "info" || args[i] == "-h" || args[i] == "--help") has_sub = true;
  if (!has_sub && args.size() > 1) args.insert(args.begin() + 1, "encode");
  std::vector<char*> av;
  for (auto& a : args) av.push_back(a.data());
  try {
    app.parse(apps::cli_args(static_cast<int>(av.size()), av.data(), {"kbps", "stages", "model", "threads"}));
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help is a "parse error" that exits 0
  }
  try {
    if (*info) {
      const auto bytes = read_file(in);
      const Container c = read_container(bytes);
      std::printf("%s: %s", in.c_str(), describe_container(c, bytes.size()).c_str());
      if (c.codec == CodecKind::kAudio && c.has_param("sr") && c.has_param("n")) {
        const double secs = static_cast<double>(c.param("n")) / static_cast<double>(c.param("sr"));
        std::printf("  duration %.3f s, %.3f kbit/s, %.3f RVQ stages on average\n", secs,
                    static_cast<double>(bytes.size()) * 8e-3 / secs, c.has_param("q") ? static_cast<double>(c.param("q")) / 16 : 0.0);
      }
      return 0;
    }
    setup_torch_threads(threads);
    const auto t_load = Clock::now();
    auto model = codecs::audio::load_audio_model(model_path.empty() ? find_model(codecs::audio::kModelFile) : model_path);
    const double load_s = seconds_since(t_load);
    const auto t0 = Clock::now();
    if (*enc) {
      if (out.empty()) {
        if (in == "-") throw UsageError("encoding standard input needs -o (a file, or - for standard output)");
        out = with_extension(in, ".nac");
      }
      codecs::audio::EncodeSettings s;
      s.kbps = *o_kbps ? kbps : 0;
      s.stages = stages;
      std::unique_ptr<Progress> bar;
      auto r = codecs::audio::encode_file(model, in, s, [&](int64_t done, int64_t total) {
        if (quiet || total < 0 || total < 30 * 16000) return;  // long inputs only
        if (!bar) bar = std::make_unique<Progress>("encoding", static_cast<uint64_t>(total));
        bar->update(static_cast<uint64_t>(done));
      });
      if (bar) bar->finish();
      write_file_atomic(out, r.bytes);
      if (!quiet)
        std::fprintf(stderr, "%s: %.2f s, %lld Hz, %lld ch -> %s, %zu bytes, %.3f kbit/s, %.3f stages, %.2f s (%.0fx real time, +%.2f s model load)\n",
                     in.c_str(), r.seconds, static_cast<long long>(r.source.sample_rate), static_cast<long long>(r.source.channels),
                     out.c_str(), r.bytes.size(), r.kbps, r.stages, seconds_since(t0), r.seconds / seconds_since(t0), load_s);
    } else if (*dec) {
      if (out.empty()) {
        if (in == "-") throw UsageError("decoding standard input needs -o (a file, or - for standard output)");
        out = with_extension(in, ".wav");
      }
      const auto src = codecs::audio::decode_to_file(model, read_file(in, size_t{1} << 30), out);
      const double secs = static_cast<double>(src.frames) / static_cast<double>(src.sample_rate);
      if (!quiet)
        std::fprintf(stderr, "%s -> %s (%.2f s, %lld Hz, %lld ch), %.2f s (%.0fx real time, +%.2f s model load)\n", in.c_str(),
                     out.c_str(), secs, static_cast<long long>(src.sample_rate), static_cast<long long>(src.channels),
                     seconds_since(t0), secs / seconds_since(t0), load_s);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "audiocodec: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
