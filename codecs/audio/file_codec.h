// Whole-file audiocodec pipelines over the streaming pieces: any input libsndfile or FFmpeg reads (or "-",
// standard input) -> downmix -> resample to the model rate -> AudioEncoder; and bitstream -> AudioDecoder ->
// resample back to the source rate -> the source's channel count (the mono signal copied to each) -> WAV, FLAC
// or OGG by extension, written as it is decoded (or "-": WAV on standard output).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "codecs/audio/codec.h"
#include "core/media/audio_io.h"

namespace nicodec::codecs::audio {

struct EncodeSettings {
  double stages = 6;  // average RVQ stages (fractions allowed, 1/16 steps), used when kbps <= 0
  double kbps = 0;    // > 0: the largest stage count whose whole file fits this many kbit/s
};

struct EncodeResult {
  std::vector<uint8_t> bytes;
  SourceInfo source;
  double seconds = 0, kbps = 0, stages = 0;
};

// progress(frames read, total frames or -1 when unknown) is called after every block when given.
EncodeResult encode_file(AudioCodecModel& model, const std::string& input, const EncodeSettings& s,
                         const std::function<void(int64_t, int64_t)>& progress = {});
// Decodes to `output` ("-": standard output). Returns the source description.
SourceInfo decode_to_file(AudioCodecModel& model, const std::vector<uint8_t>& bitstream, const std::string& output);
// Decodes to memory at the source rate, mono.
Audio decode_audio(AudioCodecModel& model, const std::vector<uint8_t>& bitstream);

}  // namespace nicodec::codecs::audio
