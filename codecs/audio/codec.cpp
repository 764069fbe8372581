#include "codecs/audio/codec.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"

namespace nicodec::codecs::audio {

namespace {
// Left context (latent frames) each chunk carries; must cover g_a's and g_s's receptive fields.
constexpr int64_t kContextFrames = 32;
constexpr int64_t kMaxSeconds = 24 * 3600;  // longest input a file may describe
}  // namespace

int64_t model_samples(const SourceInfo& src, int64_t model_rate) {
  return (src.frames * model_rate + src.sample_rate - 1) / src.sample_rate;
}

int64_t latent_frames(int64_t samples, const AudioModelConfig& c) {
  // The last sample needs every STFT frame that overlaps it: win - hop samples of padding.
  return (samples + c.win - c.hop + c.frame_samples() - 1) / c.frame_samples();
}

// ---- encoder ----

AudioEncoder::AudioEncoder(AudioCodecModel& model, int64_t stages)
    : m_(model), stages_(stages > 0 ? stages : model.net->config().num_quantizers) {
  if (stages_ > m_.net->config().num_quantizers) throw UsageError("audio codec: the model has " + std::to_string(m_.net->config().num_quantizers) + " stages");
  if (m_.net->synthesis_context() > kContextFrames || m_.net->analysis_context() > kContextFrames)
    throw UsageError("audio codec: the model's receptive field exceeds the chunk context");
}

void AudioEncoder::push(const float* x, size_t n) {
  if (finished_) throw UsageError("AudioEncoder: push after finish");
  pending_.insert(pending_.end(), x, x + n);
  pushed_ += static_cast<int64_t>(n);
  const int64_t chunk = kChunkFrames * m_.net->config().frame_samples();
  while (static_cast<int64_t>(pending_.size()) - context_samples_ >= chunk) run_chunk(false);
}

void AudioEncoder::finish(int64_t total_samples) {
  if (finished_) return;
  if (total_samples < pushed_) throw UsageError("AudioEncoder: finish with fewer samples than were pushed");
  pushed_ = total_samples;
  const AudioModelConfig& c = m_.net->config();
  const int64_t total = latent_frames(pushed_, c) * c.frame_samples();
  const int64_t done = frames_ * c.frame_samples();
  pending_.resize(static_cast<size_t>(context_samples_ + (total - done)), 0.0f);
  const int64_t chunk = kChunkFrames * c.frame_samples();
  while (static_cast<int64_t>(pending_.size()) - context_samples_ >= chunk) run_chunk(false);
  if (static_cast<int64_t>(pending_.size()) > context_samples_) run_chunk(true);
  finished_ = true;
}

void AudioEncoder::run_chunk(bool last) {
  torch::NoGradGuard ng;
  const AudioModelConfig& c = m_.net->config();
  const int64_t F = c.frame_samples();
  const int64_t fresh = last ? static_cast<int64_t>(pending_.size()) - context_samples_ : kChunkFrames * F;
  const int64_t len = context_samples_ + fresh;
  auto x = torch::from_blob(pending_.data(), {1, len}, torch::kFloat);
  auto y = m_.net->g_a(x);  // [1, len / F, D]
  const int64_t new_frames = fresh / F;
  y = y.narrow(1, y.size(1) - new_frames, new_frames).reshape({new_frames, c.latent_dim});
  auto idx = m_.net->rvq->encode(y, stages_).t().contiguous().to(torch::kInt);  // [frames, stages]
  const int32_t* p = idx.data_ptr<int32_t>();
  for (int64_t i = 0; i < idx.numel(); ++i) indices_.push_back(static_cast<uint16_t>(p[i]));
  frames_ += new_frames;
  // Keep the last kContextFrames frames' samples as the next chunk's context.
  const int64_t keep = std::min(len, kContextFrames * F);
  pending_.erase(pending_.begin(), pending_.begin() + (len - keep));
  context_samples_ = keep;
}

std::vector<uint8_t> AudioEncoder::write(const SourceInfo& src, int64_t stages_x16) const {
  if (!finished_) throw UsageError("AudioEncoder: write before finish");
  if (stages_x16 < 16 || stages_x16 > 16 * max_stages())
    throw UsageError("audio codec: stages must be 1.." + std::to_string(max_stages()));
  Container c;
  c.codec = CodecKind::kAudio;
  c.model = kBitstreamModel;
  c.model_version = m_.version;
  c.set_param("sr", src.sample_rate);
  c.set_param("ch", src.channels);
  c.set_param("n", src.frames);
  c.set_param("q", stages_x16);
  c.add_section("i", encode_indices(IndexContexts(m_.usage), indices_, frames_, max_stages(), stages_x16));
  return write_container(c);
}

std::vector<uint8_t> AudioEncoder::write_capped(const SourceInfo& src, double kbps, int64_t max_stages_x16) const {
  const double seconds = static_cast<double>(src.frames) / static_cast<double>(src.sample_rate);
  const auto budget = static_cast<size_t>(std::floor(kbps * 1000.0 / 8.0 * seconds));
  // Size grows with the stage count (more indices, each costing bits): bisect on it.
  int64_t lo = 16, hi = std::min(max_stages_x16, 16 * max_stages());
  std::vector<uint8_t> best = write(src, lo);
  if (best.size() > budget) {
    char msg[300];
    std::snprintf(msg, sizeof msg,
                  "%.1f kbit/s is too low for this %.2f s input: the smallest file (1 RVQ stage, headers included) "
                  "takes %zu bytes = %.2f kbit/s; ask for at least that, or omit --kbps",
                  kbps, seconds, best.size(), static_cast<double>(best.size()) * 8.0 / 1000.0 / std::max(seconds, 1e-9));
    throw Error(msg);
  }
  while (lo < hi) {
    const int64_t mid = (lo + hi + 1) / 2;
    auto bytes = write(src, mid);
    if (bytes.size() <= budget) {
      lo = mid;
      best = std::move(bytes);
    } else {
      hi = mid - 1;
    }
  }
  return best;
}

// ---- decoder ----

AudioDecoder::AudioDecoder(AudioCodecModel& model, const std::vector<uint8_t>& bitstream) : m_(model) {
  c_ = read_container(bitstream);
  c_.expect(CodecKind::kAudio, kBitstreamModel, m_.version);
  src_.sample_rate = c_.param_in("sr", 1000, 768000);
  src_.channels = c_.param_in("ch", 1, 256);
  src_.frames = c_.param_in("n", 1, kMaxSeconds * src_.sample_rate);
  const AudioModelConfig& cfg = m_.net->config();
  stages_x16_ = c_.param_in("q", 16, 16 * cfg.num_quantizers);
  samples_ = model_samples(src_, cfg.sample_rate);
  frames_ = latent_frames(samples_, cfg);
  stream_ = c_.section("i").data;
  dec_.emplace(stream_.data(), stream_.size());
  ctx_ = std::make_unique<IndexContexts>(m_.usage);
  torch::NoGradGuard ng;
  for (int64_t st = 0; st < cfg.num_quantizers; ++st) {
    auto cb = m_.net->rvq->stage(st)->decode(torch::arange(cfg.codebook_size, torch::kLong)).contiguous();
    codebooks_.insert(codebooks_.end(), cb.data_ptr<float>(), cb.data_ptr<float>() + cb.numel());
  }
}

std::vector<float> AudioDecoder::next() {
  if (emitted_ >= samples_) return {};
  torch::NoGradGuard ng;
  const AudioModelConfig& c = m_.net->config();
  const int64_t n = std::min(kChunkFrames, frames_ - frame_);
  // Indices -> latents (sum of the used stages' codes).
  auto y = torch::zeros({n, c.latent_dim});
  float* yp = y.data_ptr<float>();
  const auto D = static_cast<size_t>(c.latent_dim), K = static_cast<size_t>(c.codebook_size);
  for (int64_t t = 0; t < n; ++t) {
    const int64_t stages = stages_of_frame(frame_ + t, stages_x16_);
    float* row = yp + static_cast<size_t>(t) * D;
    for (int64_t s = 0; s < stages; ++s) {
      const uint32_t k = ctx_->decode(*dec_, static_cast<size_t>(s));
      const float* code = codebooks_.data() + (static_cast<size_t>(s) * K + k) * D;
      for (size_t d = 0; d < D; ++d) row[d] += code[d];
    }
  }
  frame_ += n;
  if (frame_ == frames_) dec_->finish();
  y = y.unsqueeze(0);
  auto in = context_.defined() ? torch::cat({context_, y}, 1) : y;
  auto frames = m_.net->g_s_frames(in);  // [1, T * down, win]
  const int64_t ctx_frames = in.size(1) - n;
  context_ = in.narrow(1, in.size(1) - std::min(in.size(1), kContextFrames), std::min(in.size(1), kContextFrames)).clone();
  frames = frames.narrow(1, ctx_frames * c.down, n * c.down).contiguous();
  // Overlap-add: STFT frame t covers samples [(t + 1) hop - win, (t + 1) hop); tail_ holds sums from emitted_ on.
  const int64_t t0 = (frame_ - n) * c.down, nt = n * c.down;
  const int64_t end = (t0 + nt) * c.hop;  // one past the last sample these frames reach
  tail_.resize(static_cast<size_t>(end - emitted_), 0.0f);
  const float* f = frames.data_ptr<float>();
  for (int64_t t = 0; t < nt; ++t) {
    const int64_t start = (t0 + t + 1) * c.hop - c.win;
    for (int64_t k = 0; k < c.win; ++k) {
      const int64_t pos = start + k;
      if (pos >= emitted_) tail_[static_cast<size_t>(pos - emitted_)] += f[t * c.win + k];
    }
  }
  // Samples before the first frame that could still add to them are final; at the end, everything is.
  const int64_t complete = frame_ == frames_ ? end : end - (c.win - c.hop);
  const int64_t upto = std::min(complete, samples_);
  std::vector<float> out(tail_.begin(), tail_.begin() + (upto - emitted_));
  tail_.erase(tail_.begin(), tail_.begin() + (upto - emitted_));
  emitted_ = upto;
  return out;
}

}  // namespace nicodec::codecs::audio
