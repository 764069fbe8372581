// Adversarial training of the audio decoder (optional: audiocodec-train --adversarial; meant for GPU runs, a
// CPU step costs several times a plain one):
//   multi-period discriminator (HiFi-GAN, Kong et al. 2020): the waveform folded into [T / p, p] for p in
//     {2, 3, 5, 7, 11}, 2-D convs with kernel (5, 1) and stride (3, 1), so each looks at one phase of a period;
//   multi-resolution STFT discriminator (EnCodec-style): real and imaginary parts of STFTs with FFT sizes
//     512, 1024, 2048 as 2-channel images, convs strided along frequency.
// Losses are least squares (LSGAN, as HiFi-GAN) plus feature matching (L1 between the discriminators' hidden
// activations for the real and the decoded signal).
#pragma once
#include <torch/torch.h>

#include <vector>

namespace nicodec::codecs::audio {

struct DiscriminatorOutput {
  std::vector<torch::Tensor> logits;                 // one per sub-discriminator
  std::vector<std::vector<torch::Tensor>> features;  // hidden activations per sub-discriminator
};

class AudioDiscriminatorImpl : public torch::nn::Module {
 public:
  explicit AudioDiscriminatorImpl(int64_t channels = 32);
  DiscriminatorOutput forward(const torch::Tensor& x);  // x [B, L]

 private:
  std::vector<int64_t> periods_{2, 3, 5, 7, 11}, ffts_{512, 1024, 2048};
  std::vector<torch::nn::Sequential> mpd_, stft_;
  std::vector<torch::Tensor> windows_;
};
TORCH_MODULE(AudioDiscriminator);

// LSGAN: discriminator loss mean((1 - D(x))^2) + mean(D(x_hat)^2), summed over sub-discriminators.
torch::Tensor discriminator_loss(const DiscriminatorOutput& real, const DiscriminatorOutput& fake);
// Generator: mean((1 - D(x_hat))^2) summed, and feature matching (mean L1 over every hidden activation).
torch::Tensor generator_loss(const DiscriminatorOutput& fake);
torch::Tensor feature_matching_loss(const DiscriminatorOutput& real, const DiscriminatorOutput& fake);

}  // namespace nicodec::codecs::audio
