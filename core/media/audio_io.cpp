#include "core/media/audio_io.h"

#include <sndfile.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "core/error.h"
#include "core/file_io.h"
#include "core/media/audio_stream.h"
#include "core/media/ffmpeg_audio.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

namespace nicodec {
namespace {

constexpr int64_t kMaxFrames = int64_t{1} << 34;  // ~12 days at 16 kHz: anything above is a broken header

bool read_sndfile(const std::string& path, Audio& out) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) return false;
  std::unique_ptr<SNDFILE, int (*)(SNDFILE*)> owner(f, sf_close);
  if (info.channels < 1 || info.channels > 64 || info.samplerate < 1 || info.samplerate > 768000 || info.frames < 0 ||
      info.frames > kMaxFrames)
    throw Error("'" + path + "' has an implausible header (channels " + std::to_string(info.channels) + ", rate " +
                std::to_string(info.samplerate) + ")");
  out.sample_rate = info.samplerate;
  out.channels = info.channels;
  out.samples.clear();
  std::vector<float> buf(static_cast<size_t>(4096) * info.channels);
  sf_count_t n;
  while ((n = sf_readf_float(f, buf.data(), 4096)) > 0)
    out.samples.insert(out.samples.end(), buf.begin(), buf.begin() + n * info.channels);
  return true;
}

}  // namespace

Audio read_audio_ffmpeg(const std::string& path) {
  FfmpegAudioSource src(path);
  Audio out;
  out.sample_rate = src.sample_rate();
  out.channels = src.channels();
  for (auto block = src.read(1 << 16); !block.empty(); block = src.read(1 << 16)) {
    out.samples.insert(out.samples.end(), block.begin(), block.end());
    if (out.frames() > static_cast<size_t>(kMaxFrames)) throw Error("'" + path + "' is too long");
  }
  return out;
}

Audio read_audio(const std::string& path) {
  if (path != "-") require_input_file(path, "'" + path + "'", "an audio file");
  Audio a;
  if (read_sndfile(path, a)) return a;
  try {
    return read_audio_ffmpeg(path);
  } catch (const Error& e) {
    throw Error("cannot read '" + path + "' as audio (" + e.what() + ")");
  }
}

void write_audio(const std::string& path, const Audio& audio) {
  if (audio.channels < 1 || audio.sample_rate < 1 || audio.samples.size() % static_cast<size_t>(audio.channels))
    throw UsageError("write_audio: inconsistent audio buffer");
  AudioWriter w(path, audio.sample_rate, audio.channels, static_cast<int64_t>(audio.frames()));
  w.write(audio.samples.data(), audio.frames());
  w.close();
}

Audio downmix_mono(const Audio& audio) {
  Audio m;
  m.sample_rate = audio.sample_rate;
  m.channels = 1;
  m.samples = downmix(audio.samples.data(), audio.frames(), audio.channels);
  return m;
}

Audio resample(const Audio& audio, int out_rate) {
  if (out_rate < 1 || out_rate > 768000) throw UsageError("resample: output rate out of range");
  if (audio.sample_rate == out_rate) return audio;
  StreamResampler r(audio.sample_rate, out_rate, audio.channels);
  Audio out;
  out.sample_rate = out_rate;
  out.channels = audio.channels;
  out.samples = r.push(audio.samples.data(), audio.frames());
  const auto tail = r.flush();  // the filter's delay
  out.samples.insert(out.samples.end(), tail.begin(), tail.end());
  return out;
}

}  // namespace nicodec
