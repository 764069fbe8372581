// Audio files: libsndfile for WAV, FLAC, OGG/Vorbis, AIFF...; FFmpeg for everything else (MP3, M4A, Opus,
// audio tracks of video files). Samples are float in [-1, 1], interleaved.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace nicodec {

struct Audio {
  int sample_rate = 0, channels = 0;
  std::vector<float> samples;  // frames * channels, interleaved
  size_t frames() const { return channels ? samples.size() / static_cast<size_t>(channels) : 0; }
};

// Tries libsndfile, then FFmpeg. Throws Error if neither can read the file.
Audio read_audio(const std::string& path);
Audio read_audio_ffmpeg(const std::string& path);  // FFmpeg only (also used to cross-check libsndfile)
// Format by extension: .wav (16-bit PCM), .flac (16-bit), .ogg (Vorbis); "-" = WAV on standard output.
// Written atomically (core/media/audio_stream.h AudioWriter).
void write_audio(const std::string& path, const Audio& audio);

// Mean of the channels.
Audio downmix_mono(const Audio& audio);
// Sample-rate conversion with libswresample (its default polyphase filter).
Audio resample(const Audio& audio, int out_rate);

}  // namespace nicodec
