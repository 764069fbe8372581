#include "codecs/audio/discriminators.h"

namespace nicodec::codecs::audio {

namespace F = torch::nn::functional;

namespace {
torch::nn::Conv2d conv(int64_t in, int64_t out, std::vector<int64_t> k, std::vector<int64_t> s, std::vector<int64_t> p) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, k).stride(s).padding(p));
}
}  // namespace

AudioDiscriminatorImpl::AudioDiscriminatorImpl(int64_t ch) {
  for (size_t i = 0; i < periods_.size(); ++i) {
    torch::nn::Sequential s;
    int64_t in = 1;
    for (int64_t out : {ch, 2 * ch, 4 * ch, 4 * ch}) {
      s->push_back(conv(in, out, {5, 1}, {3, 1}, {2, 0}));
      in = out;
    }
    s->push_back(conv(in, 1, {3, 1}, {1, 1}, {1, 0}));
    mpd_.push_back(register_module("mpd" + std::to_string(i), s));
  }
  for (size_t i = 0; i < ffts_.size(); ++i) {
    torch::nn::Sequential s;
    s->push_back(conv(2, ch, {3, 9}, {1, 1}, {1, 4}));
    for (int j = 0; j < 3; ++j) s->push_back(conv(ch, ch, {3, 9}, {1, 2}, {1, 4}));
    s->push_back(conv(ch, ch, {3, 3}, {1, 1}, {1, 1}));
    s->push_back(conv(ch, 1, {3, 3}, {1, 1}, {1, 1}));
    stft_.push_back(register_module("stft" + std::to_string(i), s));
    windows_.push_back(register_buffer("window" + std::to_string(i), torch::hann_window(ffts_[i])));
  }
}

DiscriminatorOutput AudioDiscriminatorImpl::forward(const torch::Tensor& x) {
  DiscriminatorOutput out;
  auto run = [&](torch::nn::Sequential& s, torch::Tensor h) {
    std::vector<torch::Tensor> feats;
    const size_t n = s->size();
    for (size_t i = 0; i < n; ++i) {
      h = s[i]->as<torch::nn::Conv2d>()->forward(h);
      if (i + 1 < n) {
        h = F::leaky_relu(h, F::LeakyReLUFuncOptions().negative_slope(0.1));
        feats.push_back(h);
      }
    }
    out.logits.push_back(h);
    out.features.push_back(std::move(feats));
  };
  const int64_t B = x.size(0), L = x.size(1);
  for (size_t i = 0; i < periods_.size(); ++i) {
    const int64_t p = periods_[i], pad = (p - L % p) % p;
    auto h = F::pad(x.unsqueeze(1), F::PadFuncOptions({0, pad}).mode(torch::kReflect)).view({B, 1, (L + pad) / p, p});
    run(mpd_[i], h);
  }
  for (size_t i = 0; i < ffts_.size(); ++i) {
    const int64_t n = ffts_[i];
    auto spec = torch::fft::rfft(x.unfold(1, n, n / 4) * windows_[i], n, -1);  // [B, T, n/2+1]
    run(stft_[i], torch::stack({torch::real(spec), torch::imag(spec)}, 1));
  }
  return out;
}

torch::Tensor discriminator_loss(const DiscriminatorOutput& real, const DiscriminatorOutput& fake) {
  auto loss = torch::zeros({}, real.logits[0].options());
  for (size_t i = 0; i < real.logits.size(); ++i)
    loss = loss + (1 - real.logits[i]).pow(2).mean() + fake.logits[i].pow(2).mean();
  return loss;
}

torch::Tensor generator_loss(const DiscriminatorOutput& fake) {
  auto loss = torch::zeros({}, fake.logits[0].options());
  for (const auto& l : fake.logits) loss = loss + (1 - l).pow(2).mean();
  return loss;
}

torch::Tensor feature_matching_loss(const DiscriminatorOutput& real, const DiscriminatorOutput& fake) {
  auto loss = torch::zeros({}, fake.logits[0].options());
  int64_t n = 0;
  for (size_t i = 0; i < real.features.size(); ++i)
    for (size_t j = 0; j < real.features[i].size(); ++j, ++n)
      loss = loss + (real.features[i][j].detach() - fake.features[i][j]).abs().mean();
  return loss / static_cast<double>(std::max<int64_t>(n, 1));
}

}  // namespace nicodec::codecs::audio
