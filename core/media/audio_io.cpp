#include "core/media/audio_io.h"

#include <sndfile.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "core/error.h"
#include "core/media/audio_stream.h"
#include "core/media/ffmpeg_util.h"

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
  ffmpeg::Input in(path, nullptr, nullptr);
  ffmpeg::Decoder dec(in, AVMEDIA_TYPE_AUDIO);
  AVCodecContext* ctx = dec.context();
  if (ctx->sample_rate < 1 || ctx->sample_rate > 768000 || ctx->ch_layout.nb_channels < 1 || ctx->ch_layout.nb_channels > 64)
    throw Error("'" + path + "' has an implausible audio stream");
  Audio out;
  out.sample_rate = ctx->sample_rate;
  out.channels = ctx->ch_layout.nb_channels;
  SwrContext* swr = nullptr;
  AVChannelLayout layout{};
  av_channel_layout_copy(&layout, &ctx->ch_layout);
  if (swr_alloc_set_opts2(&swr, &layout, AV_SAMPLE_FMT_FLT, ctx->sample_rate, &layout, ctx->sample_fmt,
                          ctx->sample_rate, 0, nullptr) < 0 ||
      swr_init(swr) < 0) {
    swr_free(&swr);
    av_channel_layout_uninit(&layout);
    throw Error("cannot convert the audio of '" + path + "'");
  }
  std::unique_ptr<SwrContext, void (*)(SwrContext*)> swr_owner(swr, [](SwrContext* s) { swr_free(&s); });
  av_channel_layout_uninit(&layout);
  dec.for_each_frame([&](AVFrame* frame) {
    const size_t base = out.samples.size();
    out.samples.resize(base + static_cast<size_t>(frame->nb_samples) * out.channels);
    uint8_t* dst = reinterpret_cast<uint8_t*>(out.samples.data() + base);
    int got = swr_convert(swr, &dst, frame->nb_samples, const_cast<const uint8_t**>(frame->extended_data), frame->nb_samples);
    if (got < 0) throw Error("cannot convert the audio of '" + path + "'");
    out.samples.resize(base + static_cast<size_t>(got) * out.channels);
    if (out.frames() > static_cast<size_t>(kMaxFrames)) throw Error("'" + path + "' is too long");
  });
  return out;
}

Audio read_audio(const std::string& path) {
  std::error_code ec;
  if (path != "-" && !std::filesystem::is_regular_file(path, ec)) throw Error("cannot read '" + path + "': no such file");
  if (path != "-" && std::filesystem::file_size(path, ec) == 0) throw Error("'" + path + "' is empty, not an audio file");
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
