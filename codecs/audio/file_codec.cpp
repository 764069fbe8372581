#include "codecs/audio/file_codec.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/error.h"
#include "core/media/audio_stream.h"

namespace nicodec::codecs::audio {

namespace {
constexpr size_t kBlock = 1 << 16;  // source frames read at a time

// Model-rate mono samples -> source rate, cut or padded to the source's frame count, passed on in pieces.
class Restorer {
 public:
  Restorer(const SourceInfo& src, int model_rate, std::function<void(const float*, size_t)> sink)
      : src_(src), rs_(model_rate, static_cast<int>(src.sample_rate), 1), sink_(std::move(sink)) {}
  void push(const std::vector<float>& x) { pass(rs_.push(x.data(), x.size())); }
  void finish() {
    pass(rs_.flush());
    std::vector<float> zeros(static_cast<size_t>(src_.frames - done_), 0.0f);
    pass(zeros);
  }

 private:
  void pass(const std::vector<float>& y) {
    const size_t n = std::min(y.size(), static_cast<size_t>(src_.frames - done_));
    if (n) sink_(y.data(), n);
    done_ += static_cast<int64_t>(n);
  }
  SourceInfo src_;
  StreamResampler rs_;
  std::function<void(const float*, size_t)> sink_;
  int64_t done_ = 0;
};

void decode_into(AudioCodecModel& model, const std::vector<uint8_t>& bitstream,
                 const std::function<void(const SourceInfo&)>& start, const std::function<void(const float*, size_t)>& sink) {
  AudioDecoder dec(model, bitstream);
  start(dec.source());
  Restorer r(dec.source(), static_cast<int>(model.net->config().sample_rate), sink);
  for (auto x = dec.next(); !x.empty(); x = dec.next()) r.push(x);
  r.finish();
}
}  // namespace

namespace {
// Runs the encoder over the whole input, computing `stages` RVQ stages (0 = all).
struct Encoded {
  std::unique_ptr<AudioEncoder> enc;
  SourceInfo src;
};

Encoded run_encoder(AudioCodecModel& model, const std::string& input, int64_t stages,
                    const std::function<void(int64_t, int64_t)>& progress) {
  AudioReader reader(input);
  const int rate = static_cast<int>(model.net->config().sample_rate);
  StreamResampler rs(reader.sample_rate(), rate, 1);
  Encoded e{std::make_unique<AudioEncoder>(model, stages), {}};
  e.src.sample_rate = reader.sample_rate();
  e.src.channels = reader.channels();
  for (auto block = reader.read(kBlock); !block.empty(); block = reader.read(kBlock)) {
    const size_t frames = block.size() / static_cast<size_t>(e.src.channels);
    const auto mono = downmix(block.data(), frames, static_cast<int>(e.src.channels));
    const auto y = rs.push(mono.data(), frames);
    e.enc->push(y.data(), y.size());
    e.src.frames += static_cast<int64_t>(frames);
    if (progress) progress(e.src.frames, reader.total_frames());
  }
  if (e.src.frames == 0) throw Error("'" + input + "' holds no audio samples (empty file?)");
  const int64_t total = model_samples(e.src, rate);
  auto tail = rs.flush();
  tail.resize(static_cast<size_t>(std::max<int64_t>(0, std::min<int64_t>(static_cast<int64_t>(tail.size()), total - e.enc->samples_pushed()))));
  e.enc->push(tail.data(), tail.size());
  e.enc->finish(total);
  return e;
}
}  // namespace

EncodeResult encode_file(AudioCodecModel& model, const std::string& input, const EncodeSettings& s,
                         const std::function<void(int64_t, int64_t)>& progress) {
  const AudioModelConfig& c = model.net->config();
  const int64_t all = c.num_quantizers;
  EncodeResult r;
  if (s.kbps > 0) {
    // The RVQ search costs in proportion to the stages computed: compute what the cap could possibly use
    // (indices rarely cost below 5 bits), and all stages only if the bound turns out to bind.
    // (Standard input can be read once only: all stages there.)
    const auto bound = input == "-" ? all : std::min<int64_t>(all, static_cast<int64_t>(std::ceil(s.kbps * 1000.0 / c.frame_rate() / 5.0)) + 1);
    Encoded e = run_encoder(model, input, bound, progress);
    r.bytes = e.enc->write_capped(e.src, s.kbps, 16 * all);
    if (bound < all && read_container(r.bytes).param("q") == 16 * bound)
      r.bytes = run_encoder(model, input, all, {}).enc->write_capped(e.src, s.kbps, 16 * all);
    r.source = e.src;
  } else {
    const auto x16 = static_cast<int64_t>(std::lround(s.stages * 16));
    if (x16 < 16 || x16 > 16 * all) throw UsageError("--stages must be 1.." + std::to_string(all) + " for this model");
    Encoded e = run_encoder(model, input, (x16 + 15) / 16, progress);
    r.bytes = e.enc->write(e.src, x16);
    r.source = e.src;
  }
  r.seconds = static_cast<double>(r.source.frames) / static_cast<double>(r.source.sample_rate);
  r.stages = static_cast<double>(read_container(r.bytes).param("q")) / 16.0;
  r.kbps = static_cast<double>(r.bytes.size()) * 8.0 / 1000.0 / r.seconds;
  return r;
}

SourceInfo decode_to_file(AudioCodecModel& model, const std::vector<uint8_t>& bitstream, const std::string& output) {
  SourceInfo src;
  std::unique_ptr<AudioWriter> w;
  std::vector<float> up;
  decode_into(
      model, bitstream,
      [&](const SourceInfo& s) {
        src = s;
        w = std::make_unique<AudioWriter>(output, static_cast<int>(s.sample_rate), static_cast<int>(s.channels), s.frames);
      },
      [&](const float* x, size_t n) {
        const size_t ch = static_cast<size_t>(src.channels);
        up.resize(n * ch);
        for (size_t i = 0; i < n; ++i)
          for (size_t c = 0; c < ch; ++c) up[i * ch + c] = x[i];
        w->write(up.data(), n);
      });
  w->close();
  return src;
}

Audio decode_audio(AudioCodecModel& model, const std::vector<uint8_t>& bitstream) {
  Audio a;
  a.channels = 1;
  decode_into(
      model, bitstream, [&](const SourceInfo& s) { a.sample_rate = static_cast<int>(s.sample_rate); },
      [&](const float* x, size_t n) { a.samples.insert(a.samples.end(), x, x + n); });
  return a;
}

}  // namespace nicodec::codecs::audio
