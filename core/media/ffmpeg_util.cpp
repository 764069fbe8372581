#include "core/media/ffmpeg_util.h"

#include "core/error.h"

namespace nicodec::ffmpeg {

std::string error_string(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(err, buf, sizeof buf);
  return buf;
}

Input::Input(const std::string& path, const char* format, AVDictionary** options) : path_(path) {
  av_log_set_level(AV_LOG_ERROR);
  const AVInputFormat* f = nullptr;
  if (format && !(f = av_find_input_format(format))) throw Error(std::string("FFmpeg lacks the demuxer ") + format);
  const std::string url = path == "-" ? "pipe:0" : path;
  int err = avformat_open_input(&fmt_, url.c_str(), f, options);
  if (err < 0) throw Error("cannot open '" + path + "': " + error_string(err));
  err = avformat_find_stream_info(fmt_, nullptr);
  if (err < 0) {
    avformat_close_input(&fmt_);
    throw Error("cannot read '" + path + "': " + error_string(err));
  }
}

Input::~Input() { avformat_close_input(&fmt_); }

Decoder::Decoder(Input& in, AVMediaType type) : in_(in) {
  const AVCodec* codec = nullptr;
  index_ = av_find_best_stream(in.get(), type, -1, -1, &codec, 0);
  if (index_ < 0 || !codec)
    throw Error("'" + in.path() + "' has no " + (type == AVMEDIA_TYPE_AUDIO ? "audio" : "video") + " stream we can decode");
  ctx_ = avcodec_alloc_context3(codec);
  pkt_ = av_packet_alloc();
  frame_ = av_frame_alloc();
  int err;
  if (!ctx_ || !pkt_ || !frame_ || (err = avcodec_parameters_to_context(ctx_, stream()->codecpar)) < 0 ||
      (err = avcodec_open2(ctx_, codec, nullptr)) < 0) {
    release();
    throw Error("cannot open the decoder for '" + in.path() + "'");
  }
}

Decoder::~Decoder() { release(); }

void Decoder::release() {
  av_frame_free(&frame_);
  av_packet_free(&pkt_);
  avcodec_free_context(&ctx_);
}

bool Decoder::next_frame(const std::function<void(AVFrame*)>& fn) {
  while (!done_) {
    int err = avcodec_receive_frame(ctx_, frame_);
    if (err == 0) {
      fn(frame_);
      av_frame_unref(frame_);
      return true;
    }
    if (err == AVERROR_EOF) {
      done_ = true;
      break;
    }
    if (err != AVERROR(EAGAIN)) throw Error("decoding '" + in_.path() + "' failed: " + error_string(err));
    if (flushed_) {
      done_ = true;
      break;
    }
    // Feed the next packet of our stream, or flush at the end of the file.
    for (;;) {
      err = av_read_frame(in_.get(), pkt_);
      if (err < 0) {
        avcodec_send_packet(ctx_, nullptr);
        flushed_ = true;
        break;
      }
      if (pkt_->stream_index != index_) {
        av_packet_unref(pkt_);
        continue;
      }
      err = avcodec_send_packet(ctx_, pkt_);
      av_packet_unref(pkt_);
      if (err < 0 && err != AVERROR(EAGAIN) && err != AVERROR_INVALIDDATA)
        throw Error("decoding '" + in_.path() + "' failed: " + error_string(err));
      break;
    }
  }
  return false;
}

}  // namespace nicodec::ffmpeg
