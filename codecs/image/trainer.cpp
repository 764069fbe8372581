#include "codecs/image/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "codecs/common/checkpoint.h"
#include "codecs/common/image_crops.h"
#include "codecs/common/image_tensor.h"
#include "codecs/image/model_io.h"
#include "core/error.h"
#include "core/media/image_io.h"

namespace nicodec::codecs::image {

namespace fs = std::filesystem;

namespace {

ModelConfig read_model_state(const std::string& dir, int64_t* step) {
  auto kv = read_state(dir, {"step", "N", "M", "Nz", "levels", "lambda_min"});
  ModelConfig m;
  m.N = static_cast<int64_t>(kv["N"]);
  m.M = static_cast<int64_t>(kv["M"]);
  m.Nz = static_cast<int64_t>(kv["Nz"]);
  m.levels = static_cast<int64_t>(kv["levels"]);
  m.lambda_min = kv["lambda_min"];
  if (step) *step = static_cast<int64_t>(kv["step"]);
  return m;
}

// The snapshots every 1000 steps let a run that ends on a bad stretch export an earlier one (nicodec-train --export
// --snapshot N).
void save_model_checkpoint(const std::string& dir, int64_t step, ImageModel& model, torch::optim::Adam& opt) {
  const ModelConfig& m = model->config();
  save_checkpoint(dir, step, model, opt,
                  {{"N", static_cast<double>(m.N)}, {"M", static_cast<double>(m.M)}, {"Nz", static_cast<double>(m.Nz)},
                   {"levels", static_cast<double>(m.levels)}, {"lambda_min", m.lambda_min}});
}

}  // namespace

std::string validate(ImageModel& net, const std::vector<std::string>& images, const std::vector<double>& q) {
  torch::NoGradGuard ng;
  net->eval();
  std::vector<torch::Tensor> xs;
  for (const auto& path : images) {
    const Image img = read_image(path);
    const int64_t h = img.height / 64 * 64, w = img.width / 64 * 64;
    if (h == 0 || w == 0) throw UsageError("validate: " + path + " is smaller than 64x64");
    xs.push_back(image_to_tensor(img).narrow(2, 0, h).narrow(3, 0, w));
  }
  std::ostringstream out;
  for (double level : q) {
    double bpp = 0, psnr = 0;
    for (const auto& x : xs) {
      auto o = net->forward(x, torch::full({1}, level), false);
      const double px = static_cast<double>(x.size(2) * x.size(3));
      bpp += (o.bits_y + o.bits_z).item<double>() / px;
      psnr += 10 * std::log10(1.0 / (o.x_hat.clamp(0, 1) - x).pow(2).mean().item<double>());
    }
    char line[96];
    std::snprintf(line, sizeof line, "q %5.2f  %.4f bpp  %.2f dB\n", level, bpp / static_cast<double>(xs.size()),
                  psnr / static_cast<double>(xs.size()));
    out << line;
  }
  net->train();
  return out.str();
}

bool has_checkpoint(const std::string& dir) {
  return fs::exists(dir + "/model.pt") && fs::exists(dir + "/state.txt");
}

ImageModel load_checkpoint_model(const std::string& dir, int64_t* step, int64_t snapshot) {
  ImageModel model(read_model_state(dir, step));
  torch::load(model, weights_path(dir, snapshot));
  if (snapshot > 0 && step) *step = snapshot;
  return model;
}

ImageModel trainable_from_model_file(const std::string& path, int64_t levels) {
  torch::NoGradGuard ng;
  const CodecModel file = load_model(path);
  ModelConfig c = file.net->config();
  if (levels == 0) levels = c.levels;
  if (levels < c.levels)
    throw UsageError("--levels " + std::to_string(levels) + " is below the " + std::to_string(c.levels) + " levels of " + path);
  const int64_t stored = c.levels;
  c.levels = levels;
  ImageModel net(c);
  auto from = file.net->named_parameters();
  for (auto& p : net->named_parameters()) {
    const std::string& k = p.key();
    if (k.rfind("h_s.", 0) == 0) continue;
    const torch::Tensor* found = from.find(k);
    if (found == nullptr) throw FormatError(path + ": no weights for " + k);
    const torch::Tensor& src = *found;
    if (k == "log_gain" || k == "log_inv_gain") {
      p.value().narrow(0, 0, stored).copy_(src);
      const double step = (k == "log_gain" ? 1.0 : -1.0) * std::log(2.0) / 2.0;
      for (int64_t l = stored; l < levels; ++l)
        p.value()[l].copy_(src[stored - 1] + step * static_cast<double>(l - stored + 1));
    } else {
      p.value().copy_(src);
    }
  }
  file.h_s.to_float(net->h_s);
  return net;
}

void train(const TrainConfig& cfg) {
  torch::Device device(cfg.device == "cuda" ? torch::kCUDA : torch::kCPU);
  if (device.is_cuda() && !torch::cuda::is_available())
    throw UsageError("--device cuda: this libtorch sees no CUDA GPU; use --device cpu");
  fs::create_directories(cfg.checkpoint_dir);

  int64_t step = 0;
  ImageModel model{nullptr};
  if (has_checkpoint(cfg.checkpoint_dir)) {
    model = load_checkpoint_model(cfg.checkpoint_dir, &step);
  } else if (!cfg.init_from.empty()) {
    model = trainable_from_model_file(cfg.init_from, cfg.init_levels);
    std::fprintf(stderr, "train: new run from the weights of %s\n", cfg.init_from.c_str());
  } else {
    model = ImageModel(cfg.model);
  }
  int unlocked = 0;
  for (auto& m : model->modules(false))
    if (auto* g = m->as<GdnImpl>()) unlocked += g->unlock_off_diagonal();
  if (unlocked) std::fprintf(stderr, "train: seeded the off-diagonal GDN weights of %d layers (they could not learn at 0)\n", unlocked);
  model->to(device);
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(cfg.lr));
  if (step > 0) {
    torch::load(opt, cfg.checkpoint_dir + "/optim.pt", device);
    std::fprintf(stderr, "train: resuming %s at step %lld\n", cfg.checkpoint_dir.c_str(), static_cast<long long>(step));
  }
  const ModelConfig mc = model->config();
  std::fprintf(stderr, "train: %s, %lld parameters, device %s\n", mc.describe().c_str(),
               static_cast<long long>([&] { int64_t n = 0; for (auto& p : model->parameters()) n += p.numel(); return n; }()),
               cfg.device.c_str());

  ImageCrops data(cfg.data_dir, cfg.crop, cfg.zoom);
  std::fprintf(stderr, "train: %zu images from %s, crops %lldx%lld (%.0f%% zoomed in), batch %lld\n", data.size(),
               cfg.data_dir.c_str(), static_cast<long long>(cfg.crop), static_cast<long long>(cfg.crop), 100.0 * cfg.zoom,
               static_cast<long long>(cfg.batch));
  // Seeded by step, so a resumed run draws what an uninterrupted one would have (up to the optimizer's state).
  std::mt19937_64 rng(cfg.seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(step));
  torch::manual_seed(cfg.seed + static_cast<uint64_t>(step));

  std::ofstream log(cfg.checkpoint_dir + "/log.csv", std::ios::app);
  if (step == 0) log << "step,loss,bpp_low,psnr_low,bpp_mid,psnr_mid,bpp_high,psnr_high,seconds\n";

  // Running sums per third of the rate range: low / mid / high q.
  double sum_loss = 0, sum_bpp[3] = {0, 0, 0}, sum_psnr[3] = {0, 0, 0}, cnt[3] = {0, 0, 0};
  int64_t in_window = 0;
  auto t0 = std::chrono::steady_clock::now();
  const double pixels = static_cast<double>(cfg.crop * cfg.crop);
  model->train();
  while (step < cfg.steps) {
    const double lr = step >= static_cast<int64_t>(cfg.lr_drop_at * static_cast<double>(cfg.steps)) ? cfg.lr / 10 : cfg.lr;
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);

    auto x = data.batch(cfg.batch, rng).to(device);
    std::vector<float> qv(static_cast<size_t>(cfg.batch));
    for (auto& q : qv)
      q = std::uniform_real_distribution<float>(static_cast<float>(cfg.q_min), static_cast<float>(mc.levels - 1))(rng);
    auto q = torch::tensor(qv).to(device);
    auto lambda = torch::exp2(q) * mc.lambda_min;

    auto out = model->forward(x, q, true);
    auto mse = (out.x_hat - x).pow(2).flatten(1).mean(1);
    auto bpp = (out.bits_y + out.bits_z) / pixels;
    auto loss = (lambda * (255.0 * 255.0) * mse + bpp).mean();
    opt.zero_grad();
    loss.backward();
    torch::nn::utils::clip_grad_norm_(model->parameters(), cfg.clip_norm);
    opt.step();
    ++step;

    sum_loss += loss.item<double>();
    auto mse_c = mse.detach().cpu();
    auto bpp_c = bpp.detach().cpu();
    for (int64_t i = 0; i < cfg.batch; ++i) {
      const double span = static_cast<double>(mc.levels - 1) - cfg.q_min;
      const int k = std::clamp(static_cast<int>(3.0 * (qv[static_cast<size_t>(i)] - cfg.q_min) / span), 0, 2);
      sum_bpp[k] += bpp_c[i].item<double>();
      sum_psnr[k] += 10.0 * std::log10(1.0 / std::max(1e-10, mse_c[i].item<double>()));
      cnt[k] += 1;
    }
    ++in_window;
    if (step % cfg.log_every == 0 || step == cfg.steps) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::ostringstream line;
      line << step << "," << sum_loss / static_cast<double>(in_window);
      for (int k = 0; k < 3; ++k)
        line << "," << (cnt[k] ? sum_bpp[k] / cnt[k] : 0) << "," << (cnt[k] ? sum_psnr[k] / cnt[k] : 0);
      line << "," << secs;
      log << line.str() << "\n" << std::flush;
      std::fprintf(stderr,
                   "train: step %lld/%lld loss %.4f | bpp/PSNR low %.3f/%.2f mid %.3f/%.2f high %.3f/%.2f | "
                   "%.2f s/step lr %.1e\n",
                   static_cast<long long>(step), static_cast<long long>(cfg.steps), sum_loss / static_cast<double>(in_window),
                   cnt[0] ? sum_bpp[0] / cnt[0] : 0, cnt[0] ? sum_psnr[0] / cnt[0] : 0, cnt[1] ? sum_bpp[1] / cnt[1] : 0,
                   cnt[1] ? sum_psnr[1] / cnt[1] : 0, cnt[2] ? sum_bpp[2] / cnt[2] : 0, cnt[2] ? sum_psnr[2] / cnt[2] : 0,
                   secs / static_cast<double>(in_window), lr);
      sum_loss = 0;
      for (int k = 0; k < 3; ++k) sum_bpp[k] = sum_psnr[k] = cnt[k] = 0;
      in_window = 0;
      t0 = std::chrono::steady_clock::now();
    }
    if (step % cfg.checkpoint_every == 0 || step == cfg.steps) save_model_checkpoint(cfg.checkpoint_dir, step, model, opt);
  }
  std::fprintf(stderr, "train: done, %lld steps, checkpoint in %s\n", static_cast<long long>(step), cfg.checkpoint_dir.c_str());
}

}  // namespace nicodec::codecs::image
