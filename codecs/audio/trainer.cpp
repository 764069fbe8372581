#include "codecs/audio/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>

#include "codecs/audio/discriminators.h"
#include "codecs/audio/losses.h"
#include "codecs/audio/model_io.h"
#include "codecs/common/checkpoint.h"
#include "core/error.h"
#include "core/media/audio_io.h"

namespace nicodec::codecs::audio {

namespace fs = std::filesystem;

namespace {

const char* const kKeys[] = {"sample_rate", "hop", "win", "down", "channels", "blocks_fast", "blocks_slow",
                             "latent_dim", "codebook_size", "num_quantizers"};

int64_t* field(AudioModelConfig& m, const std::string& k) {
  if (k == "sample_rate") return &m.sample_rate;
  if (k == "hop") return &m.hop;
  if (k == "win") return &m.win;
  if (k == "down") return &m.down;
  if (k == "channels") return &m.channels;
  if (k == "blocks_fast") return &m.blocks_fast;
  if (k == "blocks_slow") return &m.blocks_slow;
  if (k == "latent_dim") return &m.latent_dim;
  if (k == "codebook_size") return &m.codebook_size;
  return &m.num_quantizers;
}

void write_model_state(const std::string& dir, int64_t step, AudioModelConfig m) {
  std::vector<std::pair<std::string, double>> values{{"step", static_cast<double>(step)}};
  for (const char* k : kKeys) values.emplace_back(k, static_cast<double>(*field(m, k)));
  values.emplace_back("phase_bins", static_cast<double>(m.phase_bins));
  write_state(dir, values);
}

AudioModelConfig read_model_state(const std::string& dir, int64_t* step) {
  auto kv = read_state(dir, std::vector<std::string>(std::begin(kKeys), std::end(kKeys)));
  AudioModelConfig m;
  for (const char* key : kKeys) *field(m, key) = static_cast<int64_t>(kv[key]);
  m.phase_bins = kv.count("phase_bins") ? static_cast<int64_t>(kv["phase_bins"]) : 0;  // runs before phase input
  if (step) *step = kv.count("step") ? static_cast<int64_t>(kv["step"]) : 0;
  return m;
}


// Every training clip in memory at the model's rate, mono.
struct Clips {
  std::vector<std::vector<float>> speech, music;
};

std::vector<std::vector<float>> load_folder(const std::string& dir, int rate) {
  std::vector<std::vector<float>> out;
  if (!fs::is_directory(dir)) return out;
  std::vector<std::string> paths;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".wav" || e.path().extension() == ".flac") paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) {
    Audio a = downmix_mono(read_audio(p));
    if (a.sample_rate != rate) a = resample(a, rate);
    out.push_back(std::move(a.samples));
  }
  return out;
}

// A crop that is not (nearly) silent, at a random gain that keeps the peak below 0.99.
void crop(const std::vector<std::vector<float>>& clips, int64_t len, std::mt19937_64& rng, float* out) {
  std::vector<size_t> usable;
  for (size_t i = 0; i < clips.size(); ++i)
    if (clips[i].size() > static_cast<size_t>(len)) usable.push_back(i);
  if (usable.empty()) throw Error("audio training: no clip is longer than one crop");
  for (int attempt = 0;; ++attempt) {
    // Pick a clip in proportion to its length, then a position.
    std::vector<double> w;
    for (size_t i : usable) w.push_back(static_cast<double>(clips[i].size()));
    const auto& c = clips[usable[std::discrete_distribution<size_t>(w.begin(), w.end())(rng)]];
    const size_t pos = std::uniform_int_distribution<size_t>(0, c.size() - static_cast<size_t>(len))(rng);
    double energy = 0, peak = 0;
    for (int64_t i = 0; i < len; ++i) {
      const double v = c[pos + static_cast<size_t>(i)];
      energy += v * v;
      peak = std::max(peak, std::fabs(v));
    }
    const double rms = std::sqrt(energy / static_cast<double>(len));
    if (rms < 3e-3 && attempt < 20) continue;
    const double target = std::pow(10.0, std::uniform_real_distribution<double>(-36.0, -10.0)(rng) / 20.0);
    const double g = std::min(target / std::max(rms, 1e-6), 0.99 / std::max(peak, 1e-6));
    for (int64_t i = 0; i < len; ++i) out[i] = static_cast<float>(g * c[pos + static_cast<size_t>(i)]);
    return;
  }
}

Clips load_clips(const std::string& data_dir, int rate) {
  Clips clips{load_folder(data_dir + "/speech", rate), load_folder(data_dir + "/music", rate)};
  if (clips.speech.empty() && clips.music.empty())
    throw Error("audio training: no .wav/.flac in " + data_dir + "/speech or /music (run data/build_audio_sets.sh)");
  return clips;
}

torch::Tensor draw(const Clips& clips, int64_t n, int64_t len, double speech_fraction, std::mt19937_64& rng) {
  auto x = torch::empty({n, len});
  for (int64_t b = 0; b < n; ++b) {
    const bool speech = clips.music.empty() ||
                        (!clips.speech.empty() && std::uniform_real_distribution<double>(0, 1)(rng) < speech_fraction);
    crop(speech ? clips.speech : clips.music, len, rng, x[b].data_ptr<float>());
  }
  return x;
}

}  // namespace

torch::Tensor sample_crops(const std::string& data_dir, int sample_rate, int64_t n, int64_t len, double speech_fraction,
                           uint64_t seed) {
  std::mt19937_64 rng(seed);
  return draw(load_clips(data_dir, sample_rate), n, len, speech_fraction, rng);
}

AudioModel extend_model(AudioModel from, const AudioModelConfig& cfg) {
  AudioModelConfig old_cfg = from->config(), new_cfg = cfg;
  for (const char* k : kKeys)
    if (*field(old_cfg, k) != *field(new_cfg, k)) throw UsageError(std::string("--init-from: the models differ in ") + k + "; only phase_bins may");
  if (new_cfg.phase_bins < old_cfg.phase_bins) throw UsageError("--init-from: phase_bins cannot shrink");
  torch::NoGradGuard ng;
  AudioModel to(cfg);
  auto src_params = from->named_parameters();
  auto src_buffers = from->named_buffers();
  auto copy = [](const std::string& name, torch::Tensor dst, const torch::Tensor& src) {
    if (dst.sizes() == src.sizes()) {
      dst.copy_(src);
      return;
    }
    if (name == "enc_in.weight" && dst.dim() == 2 && dst.size(0) == src.size(0) && dst.size(1) > src.size(1)) {
      dst.zero_();
      dst.narrow(1, 0, src.size(1)).copy_(src);
      return;
    }
    throw UsageError("--init-from: '" + name + "' has another shape in the new model; only phase_bins may differ");
  };
  for (auto& p : to->named_parameters()) {
    if (!src_params.contains(p.key())) throw UsageError("--init-from: the model there has no '" + p.key() + "'");
    copy(p.key(), p.value(), src_params[p.key()]);
  }
  for (auto& b : to->named_buffers()) {
    if (!src_buffers.contains(b.key())) throw UsageError("--init-from: the model there has no '" + b.key() + "'");
    copy(b.key(), b.value(), src_buffers[b.key()]);
  }
  return to;
}

AudioModel trainable_from_model_file(const std::string& path, int64_t vectors_per_step) {
  AudioCodecModel m = load_audio_model(path);
  torch::NoGradGuard ng;
  for (int64_t s = 0; s < m.net->config().num_quantizers; ++s) {
    // The file keeps each stage's usage counts but not its EMA state. Rebuild that state as a run would hold it:
    // cluster_size in vectors per step, spread as the usage is; embed_sum = codebook * cluster_size, so the first
    // EMA update moves the codebook from where the file has it, not towards zero.
    auto buffers = m.net->rvq->stage(s)->named_buffers();
    const auto& u = m.usage[static_cast<size_t>(s)];
    auto counts = torch::tensor(std::vector<double>(u.begin(), u.end()), torch::kDouble);
    counts = (counts / counts.sum() * static_cast<double>(vectors_per_step)).to(torch::kFloat);
    buffers["cluster_size"].copy_(counts);
    buffers["embed_sum"].copy_(buffers["embed"] * counts.unsqueeze(1));
    buffers["initialized"].fill_(1);
  }
  return m.net;
}

bool has_checkpoint(const std::string& dir) { return fs::exists(dir + "/model.pt") && fs::exists(dir + "/state.txt"); }

AudioModel load_checkpoint_model(const std::string& dir, int64_t* step, int64_t snapshot) {
  AudioModel model(read_model_state(dir, step));
  torch::load(model, weights_path(dir, snapshot));
  if (snapshot > 0 && step) *step = snapshot;
  return model;
}

void train(const AudioTrainConfig& cfg) {
  torch::Device device(cfg.device == "cuda" ? torch::kCUDA : torch::kCPU);
  if (device.is_cuda() && !torch::cuda::is_available())
    throw UsageError("--device cuda: this libtorch sees no CUDA GPU; use --device cpu");
  fs::create_directories(cfg.checkpoint_dir);
  int64_t step = 0;
  AudioModel model{nullptr};
  if (has_checkpoint(cfg.checkpoint_dir)) {
    model = load_checkpoint_model(cfg.checkpoint_dir, &step);
  } else if (!cfg.init_from.empty()) {
    AudioModel from = fs::is_directory(cfg.init_from)
                          ? load_checkpoint_model(cfg.init_from)
                          : trainable_from_model_file(cfg.init_from, cfg.batch * cfg.crop_frames);
    AudioModelConfig mc = from->config();
    mc.phase_bins = cfg.model.phase_bins;
    model = extend_model(from, mc);
    std::fprintf(stderr, "train: new run from the weights of %s\n", cfg.init_from.c_str());
  } else {
    model = AudioModel(cfg.model);
  }
  model->to(device);
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(cfg.lr));
  if (step > 0) {
    torch::load(opt, cfg.checkpoint_dir + "/optim.pt", device);
    std::fprintf(stderr, "train: resuming %s at step %lld\n", cfg.checkpoint_dir.c_str(), static_cast<long long>(step));
  }
  const AudioModelConfig mc = model->config();
  int64_t params = 0;
  for (auto& p : model->parameters()) params += p.numel();
  std::fprintf(stderr, "train: %s, %lld parameters, device %s\n", mc.describe().c_str(), static_cast<long long>(params),
               cfg.device.c_str());

  const int rate = static_cast<int>(mc.sample_rate);
  const Clips clips = load_clips(cfg.data_dir, rate);
  double secs_speech = 0, secs_music = 0;
  for (auto& c : clips.speech) secs_speech += static_cast<double>(c.size()) / rate;
  for (auto& c : clips.music) secs_music += static_cast<double>(c.size()) / rate;
  std::fprintf(stderr, "train: %.1f min speech, %.1f min music; crops of %.2f s, batch %lld\n", secs_speech / 60,
               secs_music / 60, static_cast<double>(cfg.crop_frames * mc.frame_samples()) / rate,
               static_cast<long long>(cfg.batch));

  std::mt19937_64 rng(cfg.seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(step));
  torch::manual_seed(cfg.seed + static_cast<uint64_t>(step));
  SpectralLosses losses(rate, device);
  std::ofstream log(cfg.checkpoint_dir + "/log.csv", std::ios::app);
  if (step == 0) log << "step,loss,mel_low,mel_mid,mel_high,stft,commit,seconds,phase\n";

  AudioDiscriminator disc{nullptr};
  std::unique_ptr<torch::optim::Adam> disc_opt;
  if (cfg.adversarial) {
    disc = AudioDiscriminator();
    disc->to(device);
    disc_opt = std::make_unique<torch::optim::Adam>(disc->parameters(), torch::optim::AdamOptions(cfg.disc_lr).betas({0.8, 0.99}));
    if (fs::exists(cfg.checkpoint_dir + "/disc.pt")) {
      torch::load(disc, cfg.checkpoint_dir + "/disc.pt", device);
      torch::load(*disc_opt, cfg.checkpoint_dir + "/disc_optim.pt", device);
    }
  }
  const int64_t len = cfg.crop_frames * mc.frame_samples();
  double sum_disc = 0, sum_phase = 0, sum_loss = 0, sum_stft = 0, sum_commit = 0, mel[3] = {0, 0, 0}, cnt[3] = {0, 0, 0};
  int64_t in_window = 0;
  auto t0 = std::chrono::steady_clock::now();
  model->train();
  while (step < cfg.steps) {
    const double lr = step >= static_cast<int64_t>(cfg.lr_drop_at * static_cast<double>(cfg.steps)) ? cfg.lr / 10 : cfg.lr;
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
    auto x = draw(clips, cfg.batch, len, cfg.speech_fraction, rng).to(device);
    auto out = model->forward(x);
    auto l_mel = losses.mel(x, out.x_hat);
    auto l_stft = losses.stft(x, out.x_hat);
    auto loss = l_mel + 0.5 * l_stft + 0.1 * out.vq_loss;
    if (cfg.phase_weight > 0) {
      auto l_phase = losses.phase(x, out.x_hat, cfg.phase_max_hz);
      loss = loss + cfg.phase_weight * l_phase;
      sum_phase += l_phase.item<double>();
    }
    if (cfg.adversarial && step >= cfg.adv_start) {
      // Discriminator step on the detached output, then the generator's adversarial and feature losses.
      auto d_loss = discriminator_loss(disc->forward(x), disc->forward(out.x_hat.detach()));
      disc_opt->zero_grad();
      d_loss.backward();
      disc_opt->step();
      auto real = disc->forward(x), fake = disc->forward(out.x_hat);
      loss = loss + cfg.adv_weight * generator_loss(fake) + cfg.fm_weight * feature_matching_loss(real, fake);
      sum_disc += d_loss.item<double>();
    }
    opt.zero_grad();
    loss.backward();
    torch::nn::utils::clip_grad_norm_(model->parameters(), cfg.clip_norm);
    opt.step();
    ++step;
    if (step % cfg.revive_every == 0) {
      torch::NoGradGuard ng;
      auto y = model->g_a(x);
      model->rvq->revive_dead_codes(y.reshape({-1, mc.latent_dim}));
    }

    sum_loss += loss.item<double>();
    sum_stft += l_stft.item<double>();
    sum_commit += out.vq_loss.item<double>();
    const int k = std::clamp(static_cast<int>(3 * (out.stages - 1) / mc.num_quantizers), 0, 2);
    mel[k] += l_mel.item<double>();
    cnt[k] += 1;
    ++in_window;
    if (step % cfg.log_every == 0 || step == cfg.steps) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const double n = static_cast<double>(in_window);
      std::ostringstream line;
      line << step << "," << sum_loss / n;
      for (int i = 0; i < 3; ++i) line << "," << (cnt[i] ? mel[i] / cnt[i] : 0);
      line << "," << sum_stft / n << "," << sum_commit / n << "," << secs << "," << sum_phase / n;
      log << line.str() << "\n" << std::flush;
      std::string extra;
      if (cfg.phase_weight > 0) extra += " | phase " + std::to_string(sum_phase / n);
      if (cfg.adversarial) extra += " | disc " + std::to_string(sum_disc / n);
      std::fprintf(stderr, "train: step %lld/%lld loss %.4f | mel by stages low %.3f mid %.3f high %.3f | stft %.3f commit %.4f%s | %.2f s/step lr %.1e\n",
                   static_cast<long long>(step), static_cast<long long>(cfg.steps), sum_loss / n, cnt[0] ? mel[0] / cnt[0] : 0,
                   cnt[1] ? mel[1] / cnt[1] : 0, cnt[2] ? mel[2] / cnt[2] : 0, sum_stft / n, sum_commit / n,
                   extra.c_str(), secs / n, lr);
      sum_disc = sum_phase = sum_loss = sum_stft = sum_commit = 0;
      for (int i = 0; i < 3; ++i) mel[i] = cnt[i] = 0;
      in_window = 0;
      t0 = std::chrono::steady_clock::now();
    }
    if (step % cfg.checkpoint_every == 0 || step == cfg.steps) {
      save_atomically(model, cfg.checkpoint_dir, "model.pt");
      save_atomically(opt, cfg.checkpoint_dir, "optim.pt");
      if (cfg.adversarial) {
        save_atomically(disc, cfg.checkpoint_dir, "disc.pt");
        save_atomically(*disc_opt, cfg.checkpoint_dir, "disc_optim.pt");
      }
      write_model_state(cfg.checkpoint_dir, step, mc);
      keep_snapshot(cfg.checkpoint_dir, step);
    }
  }
  std::fprintf(stderr, "train: done, %lld steps, checkpoint in %s\n", static_cast<long long>(step), cfg.checkpoint_dir.c_str());
}

}  // namespace nicodec::codecs::audio
