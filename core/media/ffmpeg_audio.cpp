#include "core/media/ffmpeg_audio.h"

#include <algorithm>

#include "core/error.h"
#include "core/media/ffmpeg_util.h"

extern "C" {
#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>
}

namespace nicodec {

struct FfmpegAudioSource::Impl {
  ffmpeg::Input in;
  ffmpeg::Decoder dec;
  SwrContext* swr = nullptr;
  int channels = 0;
  std::vector<float> pending;  // converted samples not handed out yet
  size_t pending_pos = 0;
  bool ended = false;
  explicit Impl(const std::string& path) : in(path, nullptr, nullptr), dec(in, AVMEDIA_TYPE_AUDIO) {}
  ~Impl() { swr_free(&swr); }
};

FfmpegAudioSource::FfmpegAudioSource(const std::string& path) : impl_(std::make_unique<Impl>(path)) {
  AVCodecContext* ctx = impl_->dec.context();
  if (ctx->sample_rate < 1 || ctx->sample_rate > 768000 || ctx->ch_layout.nb_channels < 1 || ctx->ch_layout.nb_channels > 64)
    throw Error("'" + path + "' has an implausible audio stream");
  impl_->channels = ctx->ch_layout.nb_channels;
  AVChannelLayout layout{};
  av_channel_layout_copy(&layout, &ctx->ch_layout);
  const bool ok = swr_alloc_set_opts2(&impl_->swr, &layout, AV_SAMPLE_FMT_FLT, ctx->sample_rate, &layout, ctx->sample_fmt,
                                      ctx->sample_rate, 0, nullptr) >= 0 &&
                  swr_init(impl_->swr) >= 0;
  av_channel_layout_uninit(&layout);
  if (!ok) throw Error("cannot convert the audio of '" + path + "'");
}

FfmpegAudioSource::~FfmpegAudioSource() = default;

int FfmpegAudioSource::sample_rate() const { return impl_->dec.context()->sample_rate; }
int FfmpegAudioSource::channels() const { return impl_->channels; }

std::vector<float> FfmpegAudioSource::read(size_t max_frames) {
  Impl& s = *impl_;
  const size_t ch = static_cast<size_t>(s.channels);
  while (!s.ended && s.pending.size() - s.pending_pos < max_frames * ch) {
    if (s.pending_pos > 0) {  // keep the buffer at about one block
      s.pending.erase(s.pending.begin(), s.pending.begin() + static_cast<std::ptrdiff_t>(s.pending_pos));
      s.pending_pos = 0;
    }
    s.ended = !s.dec.next_frame([&](AVFrame* frame) {
      const size_t base = s.pending.size();
      s.pending.resize(base + static_cast<size_t>(frame->nb_samples) * ch);
      uint8_t* dst = reinterpret_cast<uint8_t*>(s.pending.data() + base);
      const int got = swr_convert(s.swr, &dst, frame->nb_samples, const_cast<const uint8_t**>(frame->extended_data), frame->nb_samples);
      if (got < 0) throw Error("cannot convert the audio of '" + s.in.path() + "'");
      s.pending.resize(base + static_cast<size_t>(got) * ch);
    });
  }
  const size_t n = std::min(max_frames * ch, s.pending.size() - s.pending_pos);
  std::vector<float> out(s.pending.begin() + static_cast<std::ptrdiff_t>(s.pending_pos),
                         s.pending.begin() + static_cast<std::ptrdiff_t>(s.pending_pos + n));
  s.pending_pos += n;
  return out;
}

}  // namespace nicodec
