#include "core/media/audio_stream.h"

#include <sndfile.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/byte_io.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/media/ffmpeg_audio.h"

extern "C" {
#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>
}

namespace nicodec {

namespace {
// Copies standard input to a new temporary file and returns its path.
std::string spool_stdin() {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string path = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/nicodec-stdin-XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd < 0) throw Error("cannot create a temporary file for standard input in " + path + ": " + std::strerror(errno));
  std::vector<char> buf(1 << 16);
  for (;;) {
    const ssize_t n = ::read(STDIN_FILENO, buf.data(), buf.size());
    if (n == 0) break;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || ::write(fd, buf.data(), static_cast<size_t>(n)) != n) {
      const int e = errno;
      ::close(fd);
      std::remove(path.c_str());
      throw Error(std::string("cannot copy standard input to a temporary file: ") + std::strerror(e));
    }
  }
  ::close(fd);
  return path;
}
}  // namespace

AudioReader::AudioReader(const std::string& given) {
  if (given == "-") spool_ = spool_stdin();
  const std::string path = spool_.empty() ? given : spool_;
  const std::string name = spool_.empty() ? "'" + given + "'" : std::string("standard input");
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (f) {
    if (info.channels < 1 || info.channels > 64 || info.samplerate < 1 || info.samplerate > 768000) {
      sf_close(f);
      if (!spool_.empty()) std::remove(spool_.c_str());
      throw Error(name + " has an implausible header (channels " + std::to_string(info.channels) + ", rate " +
                  std::to_string(info.samplerate) + ")");
    }
    sf_ = f;
    rate_ = info.samplerate;
    channels_ = info.channels;
    if (info.frames >= 0 && info.frames < (int64_t{1} << 40)) total_ = info.frames;
    return;
  }
  try {
    require_input_file(path, name, "an audio file");
    try {
      ff_ = std::make_unique<FfmpegAudioSource>(path);
    } catch (const Error& e) {
      throw Error("cannot read " + name + " as audio (" + e.what() + ")");
    }
  } catch (const Error&) {
    if (!spool_.empty()) std::remove(spool_.c_str());
    throw;
  }
  rate_ = ff_->sample_rate();
  channels_ = ff_->channels();  // total_ stays unknown (-1): compressed streams' durations are estimates
}

AudioReader::~AudioReader() {
  if (sf_) sf_close(static_cast<SNDFILE*>(sf_));
  if (!spool_.empty()) std::remove(spool_.c_str());
}

std::vector<float> AudioReader::read(size_t max_frames) {
  const size_t ch = static_cast<size_t>(channels_);
  if (sf_) {
    std::vector<float> buf(max_frames * ch);
    const sf_count_t n = sf_readf_float(static_cast<SNDFILE*>(sf_), buf.data(), static_cast<sf_count_t>(max_frames));
    buf.resize(static_cast<size_t>(std::max<sf_count_t>(n, 0)) * ch);
    return buf;
  }
  return ff_->read(max_frames);
}

StreamResampler::StreamResampler(int in_rate, int out_rate, int channels)
    : in_rate_(in_rate), out_rate_(out_rate), channels_(channels) {
  if (in_rate < 1 || in_rate > 768000 || out_rate < 1 || out_rate > 768000 || channels < 1 || channels > 64)
    throw UsageError("resampler: rate or channel count out of range");
  if (in_rate == out_rate) return;
  AVChannelLayout layout{};
  av_channel_layout_default(&layout, channels);
  SwrContext* swr = nullptr;
  if (swr_alloc_set_opts2(&swr, &layout, AV_SAMPLE_FMT_FLT, out_rate, &layout, AV_SAMPLE_FMT_FLT, in_rate, 0, nullptr) < 0 ||
      swr_init(swr) < 0) {
    swr_free(&swr);
    throw Error("cannot set up resampling from " + std::to_string(in_rate) + " Hz to " + std::to_string(out_rate) + " Hz");
  }
  swr_ = swr;
}

StreamResampler::~StreamResampler() {
  if (swr_) {
    SwrContext* s = static_cast<SwrContext*>(swr_);
    swr_free(&s);
  }
}

std::vector<float> StreamResampler::convert(const float* x, int frames) {
  SwrContext* swr = static_cast<SwrContext*>(swr_);
  const int cap = swr_get_out_samples(swr, frames) + 64;
  std::vector<float> out(static_cast<size_t>(cap) * static_cast<size_t>(channels_));
  uint8_t* dst = reinterpret_cast<uint8_t*>(out.data());
  const uint8_t* src = reinterpret_cast<const uint8_t*>(x);
  const int got = swr_convert(swr, &dst, cap, x ? &src : nullptr, frames);
  if (got < 0) throw Error("resampling failed");
  out.resize(static_cast<size_t>(got) * static_cast<size_t>(channels_));
  return out;
}

std::vector<float> StreamResampler::push(const float* x, size_t frames) {
  if (!swr_) return std::vector<float>(x, x + frames * static_cast<size_t>(channels_));
  std::vector<float> out;
  for (size_t done = 0; done < frames;) {  // swr_convert takes int counts
    const size_t n = std::min<size_t>(frames - done, size_t{1} << 20);
    auto part = convert(x + done * static_cast<size_t>(channels_), static_cast<int>(n));
    out.insert(out.end(), part.begin(), part.end());
    done += n;
  }
  return out;
}

std::vector<float> StreamResampler::flush() {
  if (!swr_) return {};
  return convert(nullptr, 0);
}

AudioWriter::AudioWriter(const std::string& path, int sample_rate, int channels, int64_t frames)
    : path_(path), channels_(channels), frames_(frames) {
  if (channels < 1 || channels > 64 || sample_rate < 1 || sample_rate > 768000 || frames < 0)
    throw UsageError("audio output: " + std::to_string(channels) + " channels at " + std::to_string(sample_rate) + " Hz is out of range");
  if (path == "-") {
    const uint64_t data_bytes = static_cast<uint64_t>(frames) * static_cast<uint64_t>(channels) * 2;
    if (data_bytes > 0xFFFFFFFFull - 36)
      throw UsageError("audio output: " + std::to_string(frames) + " frames do not fit a WAV stream (4 GiB); write a .flac file instead");
    out_ = stdout;
    std::vector<uint8_t> h;
    auto u32 = [&](uint32_t v) { for (int i = 0; i < 4; ++i) h.push_back(static_cast<uint8_t>(v >> (8 * i))); };
    auto u16 = [&](uint32_t v) { for (int i = 0; i < 2; ++i) h.push_back(static_cast<uint8_t>(v >> (8 * i))); };
    h.insert(h.end(), {'R', 'I', 'F', 'F'});
    u32(static_cast<uint32_t>(36 + data_bytes));
    h.insert(h.end(), {'W', 'A', 'V', 'E', 'f', 'm', 't', ' '});
    u32(16);
    u16(1);  // PCM
    u16(static_cast<uint32_t>(channels));
    u32(static_cast<uint32_t>(sample_rate));
    u32(static_cast<uint32_t>(sample_rate * channels * 2));
    u16(static_cast<uint32_t>(channels * 2));
    u16(16);
    h.insert(h.end(), {'d', 'a', 't', 'a'});
    u32(static_cast<uint32_t>(data_bytes));
    if (std::fwrite(h.data(), 1, h.size(), out_) != h.size()) throw Error(std::string("error writing to standard output: ") + std::strerror(errno));
    return;
  }
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  SF_INFO info{};
  info.samplerate = sample_rate;
  info.channels = channels;
  if (ext == ".wav") info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  else if (ext == ".flac") info.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
  else if (ext == ".ogg") info.format = SF_FORMAT_OGG | SF_FORMAT_VORBIS;
  else throw Error("cannot write '" + path + "': use a .wav, .flac or .ogg name (or - for WAV on standard output)");
  tmp_ = path + ".tmp-" + std::to_string(::getpid());
  SNDFILE* f = sf_open(tmp_.c_str(), SFM_WRITE, &info);
  if (!f) {
    const std::string why = sf_strerror(nullptr);
    tmp_.clear();
    throw Error("cannot create '" + path + "': " + why + " (does the folder exist and is it writable?)");
  }
  sf_command(f, SFC_SET_CLIPPING, nullptr, SF_TRUE);
  sf_ = f;
}

void AudioWriter::write(const float* x, size_t frames) {
  if (!out_ && !sf_) throw UsageError("AudioWriter: write after close");
  if (written_ + static_cast<int64_t>(frames) > frames_) throw UsageError("AudioWriter: more frames than announced");
  if (sf_) {
    if (sf_writef_float(static_cast<SNDFILE*>(sf_), x, static_cast<sf_count_t>(frames)) != static_cast<sf_count_t>(frames))
      throw Error("error writing '" + path_ + "': " + sf_strerror(static_cast<SNDFILE*>(sf_)));
  } else {
    const size_t n = frames * static_cast<size_t>(channels_);
    std::vector<uint8_t> b(2 * n);
    for (size_t i = 0; i < n; ++i) {
      // As libsndfile converts with clipping on (measured: floor(x * 32768), clipped), so "-o -" and a .wav
      // file hold the same samples.
      const double scaled = std::floor(static_cast<double>(x[i]) * 32768.0);
      const auto v = static_cast<uint16_t>(static_cast<int16_t>(std::clamp(scaled, -32768.0, 32767.0)));
      b[2 * i] = static_cast<uint8_t>(v & 0xFF);
      b[2 * i + 1] = static_cast<uint8_t>(v >> 8);
    }
    if (std::fwrite(b.data(), 1, b.size(), out_) != b.size())
      throw Error(std::string("error writing to standard output: ") + std::strerror(errno));
  }
  written_ += static_cast<int64_t>(frames);
}

void AudioWriter::close() {
  if (!out_ && !sf_) return;
  if (written_ != frames_) throw UsageError("AudioWriter: " + std::to_string(written_) + " of " + std::to_string(frames_) + " frames written");
  if (out_) {
    const bool ok = std::fflush(out_) == 0;
    out_ = nullptr;
    if (!ok) throw Error(std::string("error writing to standard output: ") + std::strerror(errno));
    return;
  }
  const int rc = sf_close(static_cast<SNDFILE*>(sf_));
  sf_ = nullptr;
  if (rc != 0 || std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp_.c_str());
    tmp_.clear();
    throw Error("cannot write '" + path_ + "': " + std::strerror(e));
  }
  tmp_.clear();
}

AudioWriter::~AudioWriter() {
  if (sf_) sf_close(static_cast<SNDFILE*>(sf_));
  if (!tmp_.empty()) std::remove(tmp_.c_str());
}

std::vector<float> downmix(const float* x, size_t frames, int channels) {
  std::vector<float> out(frames);
  const size_t ch = static_cast<size_t>(channels);
  for (size_t i = 0; i < frames; ++i) {
    double s = 0;
    for (size_t c = 0; c < ch; ++c) s += x[i * ch + c];
    out[i] = static_cast<float>(s / static_cast<double>(ch));
  }
  return out;
}

}  // namespace nicodec
