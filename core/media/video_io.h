// Video in YUV 4:2:0, 8-bit: read through FFmpeg (y4m, raw .yuv with a given size, mp4/mkv/webm/avi from
// any codec FFmpeg decodes) and written as y4m or raw .yuv, frame by frame with bounded memory.
#pragma once
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/file_io.h"

namespace nicodec {

struct Frame420 {
  int width = 0, height = 0;  // luma size; chroma planes are ceil(width/2) x ceil(height/2)
  std::vector<uint8_t> y, u, v;
  int chroma_width() const { return (width + 1) / 2; }
  int chroma_height() const { return (height + 1) / 2; }
  void resize(int w, int h);
};

struct RawVideoOptions {  // for headerless .yuv input
  int width = 0, height = 0;
  int fps_num = 30, fps_den = 1;
};

class VideoReader {
 public:
  // A ".yuv" path needs raw.width/height (the file carries no header). Throws Error with the reason.
  explicit VideoReader(const std::string& path, const RawVideoOptions& raw = {});
  ~VideoReader();
  // Reads the next frame (converted to 8-bit 4:2:0 if needed); false at the end.
  bool read(Frame420& frame);
  int width() const;
  int height() const;
  double fps() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes y4m (".y4m", or "-": standard output), H.264 for viewing (".mp4", ".mkv": core/media/video_encode.h)
// or raw 4:2:0 (any other name) to a temporary file, renamed into place by close().
// If close() is never called (an error), the temporary file is removed.
class VideoWriter {
 public:
  VideoWriter(const std::string& path, int width, int height, int fps_num = 30, int fps_den = 1);
  ~VideoWriter();
  void write(const Frame420& frame);
  void close();

 private:
  std::unique_ptr<AtomicFileWriter> out_;
  std::unique_ptr<class EncodedVideoWriter> encoded_;
  bool y4m_;
  int width_, height_;
};

}  // namespace nicodec
