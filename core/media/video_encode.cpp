#include "core/media/video_encode.h"

#include <unistd.h>

#include <cstdio>

#include "core/error.h"
#include "core/media/ffmpeg_util.h"
#include "core/media/video_io.h"

extern "C" {
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
}

namespace nicodec {

struct EncodedVideoWriter::Impl {
  std::string path, tmp;
  AVFormatContext* fmt = nullptr;
  AVCodecContext* ctx = nullptr;
  AVStream* stream = nullptr;
  AVFrame* frame = nullptr;
  AVPacket* pkt = nullptr;
  int64_t pts = 0;
  bool open = false;

  ~Impl() {
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&ctx);
    if (fmt) {
      if (fmt->pb) avio_closep(&fmt->pb);
      avformat_free_context(fmt);
    }
    if (open) std::remove(tmp.c_str());
  }
  void check(int err, const char* what) const {
    if (err < 0) throw Error("cannot write '" + path + "' (" + what + "): " + ffmpeg::error_string(err));
  }
  // Sends a frame (nullptr: flush) and writes every packet the encoder has ready.
  void drain(AVFrame* f) {
    check(avcodec_send_frame(ctx, f), "encoding");
    for (;;) {
      const int err = avcodec_receive_packet(ctx, pkt);
      if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
      check(err, "encoding");
      if (pkt->duration <= 0) pkt->duration = 1;  // one frame: the last frame's end is where the clip ends
      av_packet_rescale_ts(pkt, ctx->time_base, stream->time_base);
      pkt->stream_index = stream->index;
      check(av_interleaved_write_frame(fmt, pkt), "writing a packet");
    }
  }
};

EncodedVideoWriter::EncodedVideoWriter(const std::string& path, int width, int height, int fps_num, int fps_den)
    : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.path = path;
  if (width % 2 || height % 2)
    throw UsageError("H.264 needs an even frame size; this clip is " + std::to_string(width) + "x" + std::to_string(height) +
                     ": write .y4m instead");
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (!codec) throw Error("this FFmpeg has no libx264 encoder: write .y4m instead");
  s.tmp = path + ".tmp-" + std::to_string(::getpid());
  s.check(avformat_alloc_output_context2(&s.fmt, nullptr, nullptr, path.c_str()), "choosing the container");
  s.stream = avformat_new_stream(s.fmt, nullptr);
  s.ctx = avcodec_alloc_context3(codec);
  s.frame = av_frame_alloc();
  s.pkt = av_packet_alloc();
  if (!s.stream || !s.ctx || !s.frame || !s.pkt) throw Error("out of memory setting up '" + path + "'");
  s.ctx->width = width;
  s.ctx->height = height;
  s.ctx->pix_fmt = AV_PIX_FMT_YUV420P;
  s.ctx->time_base = AVRational{fps_den, fps_num};
  s.ctx->framerate = AVRational{fps_num, fps_den};
  s.ctx->color_primaries = AVCOL_PRI_BT709;
  s.ctx->color_trc = AVCOL_TRC_BT709;
  s.ctx->colorspace = AVCOL_SPC_BT709;
  s.ctx->color_range = AVCOL_RANGE_MPEG;
  if (s.fmt->oformat->flags & AVFMT_GLOBALHEADER) s.ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  av_opt_set(s.ctx->priv_data, "crf", "16", 0);
  av_opt_set(s.ctx->priv_data, "preset", "medium", 0);
  s.check(avcodec_open2(s.ctx, codec, nullptr), "opening libx264");
  s.check(avcodec_parameters_from_context(s.stream->codecpar, s.ctx), "stream parameters");
  s.stream->time_base = s.ctx->time_base;
  s.stream->avg_frame_rate = s.stream->r_frame_rate = s.ctx->framerate;
  s.check(avio_open(&s.fmt->pb, s.tmp.c_str(), AVIO_FLAG_WRITE), "creating the file");
  s.open = true;
  s.check(avformat_write_header(s.fmt, nullptr), "writing the header");
  s.frame->format = AV_PIX_FMT_YUV420P;
  s.frame->width = width;
  s.frame->height = height;
  s.check(av_frame_get_buffer(s.frame, 0), "a frame buffer");
}

EncodedVideoWriter::~EncodedVideoWriter() = default;

void EncodedVideoWriter::write(const Frame420& f) {
  Impl& s = *impl_;
  if (!s.open) throw UsageError("EncodedVideoWriter: already closed");
  if (f.width != s.ctx->width || f.height != s.ctx->height) throw UsageError("EncodedVideoWriter: frame size differs");
  s.check(av_frame_make_writable(s.frame), "a frame buffer");
  av_image_copy_plane(s.frame->data[0], s.frame->linesize[0], f.y.data(), f.width, f.width, f.height);
  av_image_copy_plane(s.frame->data[1], s.frame->linesize[1], f.u.data(), f.chroma_width(), f.chroma_width(), f.chroma_height());
  av_image_copy_plane(s.frame->data[2], s.frame->linesize[2], f.v.data(), f.chroma_width(), f.chroma_width(), f.chroma_height());
  s.frame->pts = s.pts++;
  s.drain(s.frame);
}

void EncodedVideoWriter::close() {
  Impl& s = *impl_;
  if (!s.open) return;
  s.drain(nullptr);
  s.check(av_write_trailer(s.fmt), "writing the trailer");
  s.check(avio_closep(&s.fmt->pb), "closing the file");
  if (std::rename(s.tmp.c_str(), s.path.c_str()) != 0) throw Error("cannot rename '" + s.tmp + "' to '" + s.path + "'");
  s.open = false;
}

}  // namespace nicodec
