// The audiocodec bitstream (docs/bitstream.md, "audio payload") and the streaming encoder and decoder.
//
// Encoding: the signal at the model rate (16 kHz mono) is pushed in pieces of any size; the encoder runs g_a on
// fixed chunks of latent frames with enough left context to cover its receptive field, so the result never
// depends on how the input was split, and memory stays bounded however long the input. It keeps the RVQ
// indices of all stages (2 bytes x stages per 40 ms frame); the stage count, and so the rate, is chosen at the
// end (write()): a fixed average (fractional counts alternate between frames) or the most that fits a kbit/s cap.
//
// Decoding: indices are read back frame by frame and g_s runs on the same fixed chunks with left context; the
// overlap-add tail is carried from chunk to chunk. Decoding a file in one call is the same loop.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codecs/audio/index_coder.h"
#include "codecs/audio/model_io.h"
#include "core/container.h"

namespace nicodec::codecs::audio {

// What the header records of the input as it was given.
struct SourceInfo {
  int64_t sample_rate = 16000, channels = 1, frames = 0;  // frames at sample_rate
};

class AudioEncoder {
 public:
  static constexpr int64_t kChunkFrames = 250;  // latent frames per g_a run (10 s at 25 Hz)
  // stages: how many RVQ stages to compute (0 = all); the bitstream can use at most these.
  explicit AudioEncoder(AudioCodecModel& model, int64_t stages = 0);
  void push(const float* x, size_t n);  // mono samples at the model rate
  // The input ends at `total` samples (>= those pushed; zeros fill the rest), then padding follows: the last
  // samples need every STFT frame that overlaps them.
  void finish(int64_t total);
  int64_t frames() const { return frames_; }
  int64_t max_stages() const { return stages_; }
  const std::vector<uint16_t>& indices() const { return indices_; }  // [frames][max_stages]
  int64_t samples_pushed() const { return pushed_; }

  // The bitstream with `stages_x16` / 16 stages on average (16 .. 16 * max_stages).
  std::vector<uint8_t> write(const SourceInfo& src, int64_t stages_x16) const;
  // The bitstream with the most stages (in 1/16 steps, up to max_stages_x16 and the stages computed) whose whole
  // file fits kbps over the source's duration. Throws Error, naming the smallest possible rate, when even one
  // stage does not fit.
  std::vector<uint8_t> write_capped(const SourceInfo& src, double kbps, int64_t max_stages_x16) const;

 private:
  void run_chunk(bool last);
  AudioCodecModel& m_;
  int64_t stages_;
  std::vector<float> pending_;  // left context + samples not yet encoded
  int64_t context_samples_ = 0, frames_ = 0, pushed_ = 0;
  bool finished_ = false;
  std::vector<uint16_t> indices_;
};

class AudioDecoder {
 public:
  static constexpr int64_t kChunkFrames = AudioEncoder::kChunkFrames;
  // Parses and checks the container (codec, model version, limits); throws FormatError.
  AudioDecoder(AudioCodecModel& model, const std::vector<uint8_t>& bitstream);
  const SourceInfo& source() const { return src_; }
  int64_t samples() const { return samples_; }   // model-rate samples the decoder will produce in all
  double stages() const { return static_cast<double>(stages_x16_) / 16.0; }
  // The next decoded model-rate samples (at most one chunk); empty when all are out. Throws FormatError for a
  // corrupt index stream.
  std::vector<float> next();

 private:
  AudioCodecModel& m_;
  Container c_;
  SourceInfo src_;
  int64_t samples_ = 0, frames_ = 0, stages_x16_ = 0, frame_ = 0, emitted_ = 0;
  std::vector<uint8_t> stream_;
  std::optional<entropy::CabacDecoder> dec_;
  std::unique_ptr<IndexContexts> ctx_;
  std::vector<float> tail_;  // overlap-add sums of the samples after emitted_, not yet complete
  torch::Tensor context_;    // the last latent frames decoded [1, <= R, D]
  std::vector<float> codebooks_;  // [stage][code][D], copied once: latents are sums of rows
};

// The model id written into audio bitstreams (short: it is paid in every file).
inline constexpr const char* kBitstreamModel = "nac";

// Model-rate samples an input of `frames` source frames becomes (rounded up), and the latent frames coded.
int64_t model_samples(const SourceInfo& src, int64_t model_rate);
int64_t latent_frames(int64_t samples, const AudioModelConfig& c);

}  // namespace nicodec::codecs::audio
