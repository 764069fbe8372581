// A clip written as H.264 (libx264, CRF 16: visually lossless for viewing, not for measuring) in MP4 or
// Matroska through libavformat/libavcodec, to a temporary name renamed into place by close() and removed if
// close() is never called. Frame sizes must be even (H.264 4:2:0). VideoWriter uses it for .mp4 and .mkv.
#pragma once
#include <memory>
#include <string>

namespace nicodec {

struct Frame420;

class EncodedVideoWriter {
 public:
  EncodedVideoWriter(const std::string& path, int width, int height, int fps_num, int fps_den);
  ~EncodedVideoWriter();
  EncodedVideoWriter(const EncodedVideoWriter&) = delete;
  EncodedVideoWriter& operator=(const EncodedVideoWriter&) = delete;
  void write(const Frame420& frame);
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nicodec
