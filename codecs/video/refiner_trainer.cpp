#include "codecs/video/refiner_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "codecs/common/checkpoint.h"
#include "codecs/common/image_tensor.h"
#include "codecs/video/inter_frame.h"
#include "core/error.h"

namespace nicodec::codecs::video {

namespace fs = std::filesystem;

namespace {

// The pairs as uint8 tensors [N, 6, H, W] per frame size (prediction channels first, then the frame).
std::vector<torch::Tensor> pairs_tensor(const std::vector<PredictionPair>& pairs) {
  std::map<std::pair<int, int>, std::vector<torch::Tensor>> by_size;
  for (const auto& p : pairs) {
    auto t = torch::cat({image_to_tensor(p.prediction), image_to_tensor(p.frame)}, 1).mul(255.0).round().to(torch::kUInt8);
    by_size[{p.frame.width, p.frame.height}].push_back(t);
  }
  std::vector<torch::Tensor> out;
  for (auto& [size, ts] : by_size) out.push_back(torch::cat(ts, 0));
  return out;
}

std::vector<torch::Tensor> load_or_make_pairs(const image::ImageCodec& codec, const RefinerTrainConfig& cfg) {
  const std::string path = cfg.checkpoint_dir + "/pairs.pt";
  std::vector<torch::Tensor> sets;
  if (fs::exists(path)) {
    torch::load(sets, path);
    return sets;
  }
  const auto clips = list_clips(cfg.clips_dir);
  const auto t0 = std::chrono::steady_clock::now();
  const auto pairs = prediction_pairs(codec, clips, cfg.pairs, [](int64_t k) {
    if (k % 50 == 0) std::fprintf(stderr, "train: %lld prediction pairs\n", static_cast<long long>(k));
  });
  if (pairs.empty()) throw UsageError("the clips in '" + cfg.clips_dir + "' gave no prediction pairs (one frame each?)");
  sets = pairs_tensor(pairs);
  std::fprintf(stderr, "train: %zu prediction pairs from %zu clips in %.0f s\n", pairs.size(), clips.size(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  save_atomically(sets, cfg.checkpoint_dir, "pairs.pt");
  return sets;
}

// The largest even crop some set's frames hold.
int64_t largest_crop(const std::vector<torch::Tensor>& sets) {
  int64_t c = 0;
  for (const auto& s : sets) c = std::max(c, std::min(s.size(2), s.size(3)) / 2 * 2);
  return c;
}

// A batch of crops [B, 6, crop, crop] float in [0, 1]: random set (weighted by its size), pair, position, flips.
torch::Tensor batch_of(const std::vector<torch::Tensor>& sets, int64_t b, int64_t crop, std::mt19937_64& rng) {
  std::vector<double> weights;
  for (const auto& s : sets) weights.push_back(s.size(2) >= crop && s.size(3) >= crop ? static_cast<double>(s.size(0)) : 0.0);
  if (std::all_of(weights.begin(), weights.end(), [](double w) { return w == 0; }))
    throw UsageError("the crop (" + std::to_string(crop) + ") is larger than every training frame; use --crop " +
                     std::to_string(largest_crop(sets)) + " or less");
  std::discrete_distribution<size_t> pick_set(weights.begin(), weights.end());
  std::vector<torch::Tensor> crops;
  for (int64_t i = 0; i < b; ++i) {
    const auto& s = sets[pick_set(rng)];
    const auto n = std::uniform_int_distribution<int64_t>(0, s.size(0) - 1)(rng);
    const auto y = std::uniform_int_distribution<int64_t>(0, (s.size(2) - crop) / 2)(rng) * 2;
    const auto x = std::uniform_int_distribution<int64_t>(0, (s.size(3) - crop) / 2)(rng) * 2;
    auto c = s[n].narrow(1, y, crop).narrow(2, x, crop);
    if (rng() & 1) c = c.flip({2});
    if (rng() & 1) c = c.flip({1});
    crops.push_back(c);
  }
  return torch::stack(crops).to(torch::kFloat).div_(255.0);
}

double psnr(const torch::Tensor& a, const torch::Tensor& b) {
  return 10.0 * std::log10(1.0 / std::max(1e-10, (a - b).pow(2).mean().item<double>()));
}

RefinerNet load_net(const std::string& dir, int64_t* step, int64_t snapshot) {
  const auto kv = read_state(dir, {"step", "channels", "layers"});
  RefinerConfig c;
  c.channels = static_cast<int64_t>(kv.at("channels"));
  c.layers = static_cast<int64_t>(kv.at("layers"));
  RefinerNet net(c);
  torch::load(net, weights_path(dir, snapshot));
  if (step) *step = static_cast<int64_t>(kv.at("step"));
  return net;
}

}  // namespace

void train_refiner(const image::ImageCodec& codec, const RefinerTrainConfig& cfg) {
  if (cfg.crop < 16 || cfg.crop % 2) throw UsageError("the crop must be even and at least 16");
  torch::Device device(cfg.device == "cuda" ? torch::kCUDA : torch::kCPU);
  if (device.is_cuda() && !torch::cuda::is_available())
    throw UsageError("--device cuda: this libtorch sees no CUDA GPU; use --device cpu");
  fs::create_directories(cfg.checkpoint_dir);
  int64_t step = 0;
  const bool resume = fs::exists(cfg.checkpoint_dir + "/state.txt");
  RefinerNet net = resume ? load_net(cfg.checkpoint_dir, &step, 0) : RefinerNet(cfg.net);
  net->to(device);
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(cfg.lr));
  if (resume) {
    torch::load(opt, cfg.checkpoint_dir + "/optim.pt", device);
    std::fprintf(stderr, "train: resuming %s at step %lld\n", cfg.checkpoint_dir.c_str(), static_cast<long long>(step));
  }
  const auto sets = load_or_make_pairs(codec, cfg);
  int64_t n_pairs = 0;
  for (const auto& s : sets) n_pairs += s.size(0);
  std::fprintf(stderr, "train: refiner C=%lld, %lld convolutions; %lld pairs, crops %lld, batch %lld, device %s\n",
               static_cast<long long>(net->config().channels), static_cast<long long>(net->config().layers),
               static_cast<long long>(n_pairs), static_cast<long long>(cfg.crop), static_cast<long long>(cfg.batch),
               cfg.device.c_str());
  std::mt19937_64 rng(cfg.seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(step));
  torch::manual_seed(cfg.seed + static_cast<uint64_t>(step));
  std::ofstream log(cfg.checkpoint_dir + "/log.csv", std::ios::app);
  if (step == 0) log << "step,psnr_prediction,psnr_refined,seconds\n";
  double sum_pred = 0, sum_ref = 0;
  int64_t in_window = 0;
  auto t0 = std::chrono::steady_clock::now();
  net->train();
  while (step < cfg.steps) {
    const double lr = step >= static_cast<int64_t>(0.85 * static_cast<double>(cfg.steps)) ? cfg.lr / 10 : cfg.lr;
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
    const auto b = batch_of(sets, cfg.batch, cfg.crop, rng).to(device);
    const auto pred = b.narrow(1, 0, 3), frame = b.narrow(1, 3, 3);
    const auto out = net->forward(pred);
    const auto loss = (out - frame).pow(2).mean();
    opt.zero_grad();
    loss.backward();
    opt.step();
    ++step;
    sum_pred += psnr(pred, frame);
    sum_ref += psnr(out.detach(), frame);
    ++in_window;
    if (step % cfg.log_every == 0 || step == cfg.steps) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const double n = static_cast<double>(in_window);
      log << step << "," << sum_pred / n << "," << sum_ref / n << "," << secs << "\n" << std::flush;
      std::fprintf(stderr, "train: step %lld/%lld PSNR prediction %.2f dB -> refined %.2f dB (%+.3f) | %.3f s/step lr %.1e\n",
                   static_cast<long long>(step), static_cast<long long>(cfg.steps), sum_pred / n, sum_ref / n,
                   (sum_ref - sum_pred) / n, secs / n, lr);
      sum_pred = sum_ref = 0;
      in_window = 0;
      t0 = std::chrono::steady_clock::now();
    }
    if (step % cfg.checkpoint_every == 0 || step == cfg.steps) {
      save_checkpoint(cfg.checkpoint_dir, step, net, opt,
                      {{"channels", static_cast<double>(net->config().channels)}, {"layers", static_cast<double>(net->config().layers)}});
    }
  }
  std::fprintf(stderr, "train: done, %lld steps, checkpoint in %s\n", static_cast<long long>(step), cfg.checkpoint_dir.c_str());
}

std::string export_refiner_checkpoint(const std::string& checkpoint_dir, int64_t snapshot, const std::string& weight_format,
                                      uint32_t version, const std::string& notes, const std::string& path) {
  int64_t step = 0;
  RefinerNet net = load_net(checkpoint_dir, &step, snapshot);
  std::vector<torch::Tensor> sets;
  torch::load(sets, checkpoint_dir + "/pairs.pt");
  std::mt19937_64 rng(7);
  const auto calib = batch_of(sets, 32, std::min<int64_t>(128, largest_crop(sets)), rng).narrow(1, 0, 3);
  return export_refiner(net, calib, weight_format, version,
                        notes.empty() ? "refiner checkpoint step " + std::to_string(snapshot > 0 ? snapshot : step) : notes, path);
}

std::string validate_refiner(const image::ImageCodec& codec, const PredictionRefiner& refiner,
                             const std::vector<std::string>& clips, const PredictionPairOptions& opt) {
  std::string out;
  for (const auto& clip : clips) {
    const auto pairs = prediction_pairs(codec, {clip}, opt);
    double s_pred = 0, s_ref = 0, s_frame = 0, s_block = 0, samples = 0;
    int better = 0;
    for (const auto& p : pairs) {
      const Image r = refiner.refine(p.prediction);
      const double e_pred = sse(p.frame, p.prediction), e_ref = sse(p.frame, r);
      better += e_ref < e_pred;
      double e_block = 0;
      const int w = p.frame.width, h = p.frame.height;
      for (int by = 0; by < h; by += 64)
        for (int bx = 0; bx < w; bx += 64) {
          double a = 0, b = 0;
          for (int y = by; y < std::min(h, by + 64); ++y)
            for (int x = bx; x < std::min(w, bx + 64); ++x)
              for (int c = 0; c < 3; ++c) {
                const int f = p.frame.pixel(x, y)[c];
                a += (f - p.prediction.pixel(x, y)[c]) * (f - p.prediction.pixel(x, y)[c]);
                b += (f - r.pixel(x, y)[c]) * (f - r.pixel(x, y)[c]);
              }
          e_block += std::min(a, b);
        }
      const double n = static_cast<double>(p.frame.rgb.size());
      auto db = [&](double e) { return 10.0 * std::log10(255.0 * 255.0 * n / std::max(e, 1e-9)); };
      s_pred += db(e_pred), s_ref += db(e_ref), s_frame += db(std::min(e_pred, e_ref)), s_block += db(e_block);
      samples += 1;
    }
    char line[400];
    std::snprintf(line, sizeof line,
                  "%s: %d predictions, PSNR prediction %.3f dB, refined %.3f, per-frame best %.3f, per-64x64-block best "
                  "%.3f; refined better in %d\n",
                  fs::path(clip).filename().c_str(), static_cast<int>(samples), s_pred / samples, s_ref / samples,
                  s_frame / samples, s_block / samples, better);
    out += line;
  }
  return out;
}

}  // namespace nicodec::codecs::video
