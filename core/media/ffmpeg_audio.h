// Audio decoded by FFmpeg a block at a time (any container and codec libavformat/libavcodec read: MP3, AAC,
// Opus, ...), as interleaved float in [-1, 1] at the stream's own rate and channel count. Memory: one decoded
// frame plus the block asked for, whatever the file's length.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace nicodec {

class FfmpegAudioSource {
 public:
  explicit FfmpegAudioSource(const std::string& path);  // throws Error naming the file and the reason
  ~FfmpegAudioSource();
  FfmpegAudioSource(const FfmpegAudioSource&) = delete;
  FfmpegAudioSource& operator=(const FfmpegAudioSource&) = delete;
  int sample_rate() const;
  int channels() const;
  // Up to max_frames interleaved frames; empty at the end.
  std::vector<float> read(size_t max_frames);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nicodec
