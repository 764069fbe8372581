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

EncodeResult encode_file(AudioCodecModel& model, const std::string& input, const EncodeSettings& s,
                         const std::function<void(int64_t, int64_t)>& progress) {
  AudioReader reader(input);
  const int rate = static_cast<int>(model.net->config().sample_rate);
  StreamResampler rs(reader.sample_rate(), rate, 1);
  AudioEncoder enc(model);
  SourceInfo src;
  src.sample_rate = reader.sample_rate();
  src.channels = reader.channels();
  for (auto block = reader.read(kBlock); !block.empty(); block = reader.read(kBlock)) {
    const size_t frames = block.size() / static_cast<size_t>(src.channels);
    const auto mono = downmix(block.data(), frames, static_cast<int>(src.channels));
    const auto y = rs.push(mono.data(), frames);
    enc.push(y.data(), y.size());
    src.frames += static_cast<int64_t>(frames);
    if (progress) progress(src.frames, reader.total_frames());
  }
  if (src.frames == 0) throw Error("'" + input + "' holds no audio samples (empty file?)");
  const int64_t total = model_samples(src, rate);
  auto tail = rs.flush();
  tail.resize(static_cast<size_t>(std::max<int64_t>(0, std::min<int64_t>(static_cast<int64_t>(tail.size()), total - enc.samples_pushed()))));
  enc.push(tail.data(), tail.size());
  enc.finish(total);
  EncodeResult r;
  r.source = src;
  r.seconds = static_cast<double>(src.frames) / static_cast<double>(src.sample_rate);
  const int64_t max_x16 = 16 * enc.max_stages();
  if (s.kbps > 0) {
    r.bytes = enc.write_capped(src, s.kbps, max_x16);
  } else {
    const auto x16 = static_cast<int64_t>(std::lround(s.stages * 16));
    if (x16 < 16 || x16 > max_x16)
      throw UsageError("--stages must be 1.." + std::to_string(enc.max_stages()) + " for this model");
    r.bytes = enc.write(src, x16);
  }
  const Container c = read_container(r.bytes);
  r.stages = static_cast<double>(c.param("q")) / 16.0;
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
