// Thin RAII wrappers over libavformat/libavcodec for the media readers: open a file, decode one stream.
#pragma once
#include <functional>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

namespace nicodec::ffmpeg {

std::string error_string(int err);

class Input {
 public:
  // format: a demuxer name to force (e.g. "rawvideo"), or nullptr to probe; options: demuxer options.
  Input(const std::string& path, const char* format, AVDictionary** options);
  ~Input();
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;
  AVFormatContext* get() const { return fmt_; }
  const std::string& path() const { return path_; }

 private:
  AVFormatContext* fmt_ = nullptr;
  std::string path_;
};

class Decoder {
 public:
  // Opens the best stream of the given type. Throws Error if the file has none or no decoder exists.
  Decoder(Input& in, AVMediaType type);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;
  AVCodecContext* context() const { return ctx_; }
  AVStream* stream() const { return in_.get()->streams[index_]; }
  // Calls fn for the next decoded frame; returns false at the end of the stream.
  bool next_frame(const std::function<void(AVFrame*)>& fn);
  // Calls fn for every remaining frame.
  void for_each_frame(const std::function<void(AVFrame*)>& fn) {
    while (next_frame(fn)) {
    }
  }

 private:
  void release();
  Input& in_;
  int index_ = -1;
  AVCodecContext* ctx_ = nullptr;
  AVPacket* pkt_ = nullptr;
  AVFrame* frame_ = nullptr;
  bool flushed_ = false, done_ = false;
};

}  // namespace nicodec::ffmpeg
