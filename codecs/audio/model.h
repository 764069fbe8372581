// The audiocodec model: an STFT-domain neural codec (encoder on log-magnitude spectra, residual VQ, decoder
// that predicts magnitude and phase for an inverse STFT, as in Vocos, Siuzdak 2023) rather than a
// waveform-domain SoundStream. Why: every layer runs at the STFT frame rate (100 Hz) or the latent rate (25 Hz),
// never at 16 kHz, so a training step costs a few GFLOP instead of tens (we train on 2 CPU cores) and decoding
// runs far faster than real time on one core. Everything is causal: frame t sees samples up to the end of its
// hop, convolutions pad on the left only, so the codec streams.
//
//   x [B, L]  --causal STFT (win 640, hop 160)-->  log|X| [B, 100 Hz, 321] (+ cos, sin of the low bins' phase)
//   g_a: Linear -> 2 ConvNeXt blocks @100 Hz -> group 4 frames -> Linear -> 4 blocks @25 Hz -> Linear -> D
//   RVQ: up to Q stages of K codes (quantizer dropout: one model, Q' = 1..Q stages = 250 bit/s per 10-bit stage)
//   g_s: Linear -> 4 blocks @25 Hz -> Linear, split into 4 frames -> 4 blocks @100 Hz -> Linear -> (log|S|, phase)
//        -> irfft, window, overlap-add  -> x_hat [B, L]
#pragma once
#include <torch/torch.h>

#include <string>

#include "quant/latent/rvq.h"

namespace nicodec::codecs::audio {

struct AudioModelConfig {
  int64_t sample_rate = 16000;
  int64_t hop = 160, win = 640;  // STFT; win a multiple of hop
  int64_t down = 4;              // STFT frames per latent frame
  int64_t channels = 256;
  int64_t blocks_fast = 2, blocks_slow = 4;  // per side, at 100 Hz and at 25 Hz
  int64_t latent_dim = 64, codebook_size = 1024, num_quantizers = 24;
  // Phase input of the encoder: cos and sin of the STFT phase of the lowest phase_bins bins, beside the
  // log-magnitudes (0: magnitudes only, as model v1). With a phase loss in training (losses.h) the code can
  // carry where the waveform's periods start, which a magnitude-only encoder cannot know.
  int64_t phase_bins = 0;

  int64_t bins() const { return win / 2 + 1; }
  int64_t feature_dim() const { return bins() + 2 * phase_bins; }

  int64_t frame_samples() const { return hop * down; }  // samples per latent frame
  double frame_rate() const { return static_cast<double>(sample_rate) / static_cast<double>(frame_samples()); }
  double stage_kbps() const;  // nominal kbit/s of one RVQ stage
  std::string describe() const;
};

// A causal ConvNeXt block on [B, T, C]: depthwise conv (kernel 7, left padding), LayerNorm, C -> 3C -> C MLP
// with GELU, layer scale, residual.
class CausalConvNeXtImpl : public torch::nn::Module {
 public:
  explicit CausalConvNeXtImpl(int64_t channels, int64_t kernel = 7);
  torch::Tensor forward(const torch::Tensor& x);
  int64_t kernel() const { return kernel_; }

 private:
  int64_t kernel_;
  torch::nn::Conv1d dw{nullptr};
  torch::nn::LayerNorm norm{nullptr};
  torch::nn::Linear pw1{nullptr}, pw2{nullptr};
  torch::Tensor scale;
};
TORCH_MODULE(CausalConvNeXt);

struct AudioForward {
  torch::Tensor x_hat;   // [B, L]
  torch::Tensor vq_loss; // commitment
  int64_t stages;
};

class AudioModelImpl : public torch::nn::Module {
 public:
  explicit AudioModelImpl(const AudioModelConfig& cfg);

  // L must be a multiple of frame_samples(). stages < 0: quantizer dropout in training, all stages otherwise.
  AudioForward forward(const torch::Tensor& x, int64_t stages = -1);

  torch::Tensor features(const torch::Tensor& x);   // [B, T, feature_dim()]: log-magnitudes (+ phase), T = L / hop
  torch::Tensor g_a(const torch::Tensor& x);        // [B, L/frame, D]
  torch::Tensor g_s(const torch::Tensor& y_hat);    // [B, T_latent, D] -> [B, T_latent * frame] samples
  // The decoder's receptive field in latent frames (left context a chunked decoder must carry).
  int64_t synthesis_context() const;
  int64_t analysis_context() const;  // the encoder's, in latent frames

  const AudioModelConfig& config() const { return cfg_; }
  quant::ResidualVQ rvq{nullptr};

  // g_s split at the spectrum: the overlap-add tail is the one piece of state that crosses chunk borders.
  torch::Tensor g_s_frames(const torch::Tensor& y_hat);  // windowed time frames [B, T, win]
  torch::Tensor window() const { return window_; }

 private:
  AudioModelConfig cfg_;
  torch::nn::Linear enc_in{nullptr}, enc_down{nullptr}, enc_out{nullptr};
  torch::nn::LayerNorm enc_norm{nullptr}, enc_norm2{nullptr};
  torch::nn::Sequential enc_fast{nullptr}, enc_slow{nullptr};
  torch::nn::Linear dec_in{nullptr}, dec_up{nullptr}, dec_out{nullptr};
  torch::nn::LayerNorm dec_norm{nullptr}, dec_norm2{nullptr};
  torch::nn::Sequential dec_slow{nullptr}, dec_fast{nullptr};
  torch::Tensor window_;  // periodic Hann, a buffer
};
TORCH_MODULE(AudioModel);

// Overlap-adds windowed frames [B, T, win] at hop into [B, T * hop]: frame t covers samples
// [(t + 1) * hop - win, (t + 1) * hop) (causal framing); samples before 0 are dropped.
torch::Tensor overlap_add(const torch::Tensor& frames, int64_t hop);

}  // namespace nicodec::codecs::audio
