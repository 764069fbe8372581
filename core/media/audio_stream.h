// Audio in pieces, for codecs that must handle hour-long files and pipes in bounded memory:
//   AudioReader     reads a file block by block with libsndfile (WAV, FLAC, OGG, AIFF, MP3, ...); formats
//                   libsndfile cannot read (M4A/AAC, Matroska, video files' audio) are decoded block by block
//                   with FFmpeg (core/media/ffmpeg_audio.h). "-" (standard input) is first
//                   copied to a temporary file (piped FLAC and the FFmpeg formats need to seek), removed after.
//   StreamResampler libswresample fed in pieces; flush() returns the filter's delayed tail.
//   AudioWriter     writes as samples arrive: .wav (16-bit PCM), .flac (16-bit) or .ogg (Vorbis) through
//                   libsndfile to a temporary name renamed into place by close(); or "-": a 16-bit WAV on
//                   standard output (its header needs the length, given in advance). Dropped unclosed, it
//                   removes the temporary file, so a failed run leaves nothing behind.
#pragma once
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/media/audio_io.h"

namespace nicodec {

class FfmpegAudioSource;

class AudioReader {
 public:
  explicit AudioReader(const std::string& path);  // throws Error naming the file if nothing can read it
  ~AudioReader();
  AudioReader(const AudioReader&) = delete;
  AudioReader& operator=(const AudioReader&) = delete;
  int sample_rate() const { return rate_; }
  int channels() const { return channels_; }
  int64_t total_frames() const { return total_; }  // -1 when unknown (a pipe)
  // Up to max_frames interleaved frames; empty at the end.
  std::vector<float> read(size_t max_frames);

 private:
  int rate_ = 0, channels_ = 0;
  int64_t total_ = -1;
  std::string spool_;   // the temporary copy of standard input
  void* sf_ = nullptr;  // SNDFILE*
  std::unique_ptr<FfmpegAudioSource> ff_;  // the fallback for what libsndfile cannot read (MP3, AAC, Opus, ...)
};

class StreamResampler {
 public:
  StreamResampler(int in_rate, int out_rate, int channels);
  ~StreamResampler();
  StreamResampler(const StreamResampler&) = delete;
  StreamResampler& operator=(const StreamResampler&) = delete;
  std::vector<float> push(const float* x, size_t frames);  // interleaved in, interleaved out
  std::vector<float> flush();

 private:
  std::vector<float> convert(const float* x, int frames);
  void* swr_ = nullptr;  // SwrContext*
  int in_rate_, out_rate_, channels_;
};

class AudioWriter {
 public:
  // frames: the exact total (required for "-", checked by close() everywhere).
  AudioWriter(const std::string& path, int sample_rate, int channels, int64_t frames);
  ~AudioWriter();
  AudioWriter(const AudioWriter&) = delete;
  AudioWriter& operator=(const AudioWriter&) = delete;
  void write(const float* x, size_t frames);  // interleaved; clipped to [-1, 1]
  void close();  // throws Error unless exactly `frames` frames were written

 private:
  std::string path_, tmp_;
  std::FILE* out_ = nullptr;  // standard output
  void* sf_ = nullptr;        // SNDFILE*
  int channels_;
  int64_t frames_, written_ = 0;
};

// Mean of the channels of interleaved samples.
std::vector<float> downmix(const float* x, size_t frames, int channels);

}  // namespace nicodec
