#include "codecs/image/context_trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "codecs/common/checkpoint.h"
#include "codecs/common/weights_io.h"
#include "codecs/common/image_crops.h"
#include "codecs/common/likelihoods.h"
#include "codecs/image/context_model.h"
#include "codecs/image/model_io.h"
#include "core/error.h"

namespace nicodec::codecs::image {

namespace fs = std::filesystem;

namespace {

// What the codec computes for latents y0 at rate levels q: y, the hyperprior's integer parameters, the anchors'
// symbols (zero at the non-anchors) and the table scales the hyperprior alone would code with.
struct Latents {
  torch::Tensor y, anchor_symbols, mean_q, log_scale_q, means, log_scales, table_scales, non_anchor;
};

Latents hyperprior(const CodecModel& m, const torch::Tensor& y0, const torch::Tensor& q) {
  torch::NoGradGuard ng;
  ImageModel net = m.net;  // a non-const handle to the shared module
  Latents l;
  l.y = y0 * net->gain(q, false);
  auto z = torch::round(net->hyper_analysis(l.y)).clamp(-kZMax, kZMax).to(torch::kInt).contiguous();
  const auto p = m.h_s.forward(z);
  l.mean_q = p.mean_q;
  l.log_scale_q = p.log_scale_q;
  l.means = p.means;
  l.log_scales = p.log_scale_q.to(torch::kFloat) * std::ldexp(1.0, -kLogScaleShift);
  l.table_scales = table_scales(p.index);
  const auto anchors = anchor_mask(l.y.size(2), l.y.size(3));
  l.anchor_symbols = torch::round(l.y - l.means).masked_fill(anchors.logical_not(), 0);
  l.non_anchor = anchors.logical_not().to(torch::kFloat);
  return l;
}

// Bits of the non-anchors per pixel of the crops, for means and scales given everywhere.
torch::Tensor non_anchor_bpp(const Latents& l, const torch::Tensor& values, const torch::Tensor& means,
                             const torch::Tensor& scales, double pixels) {
  return -(torch::log2(gaussian_likelihood(values, means, scales)) * l.non_anchor).sum() / pixels;
}

torch::Tensor pool_latents(const CodecModel& m, const ContextTrainConfig& cfg, int64_t count, uint64_t seed) {
  torch::NoGradGuard ng;
  ImageModel net = m.net;
  ImageCrops data(cfg.data_dir, cfg.crop);
  std::mt19937_64 rng(seed);
  std::vector<torch::Tensor> ys;
  for (int64_t i = 0; i < count; i += 16) ys.push_back(net->analysis(data.batch(std::min<int64_t>(16, count - i), rng)));
  return torch::cat(ys, 0);
}

torch::Tensor draw_levels(const CodecModel& m, double q_min, int64_t n, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> u(static_cast<float>(q_min), static_cast<float>(m.net->config().levels - 1));
  std::vector<float> q(static_cast<size_t>(n));
  for (auto& v : q) v = u(rng);
  return torch::tensor(q);
}

void check_config(const ContextTrainConfig& cfg) {
  if (cfg.model_path.empty()) throw UsageError("the context trainer needs the model file to extend (--model)");
  if (cfg.crop < 64 || cfg.crop % 64 != 0) throw UsageError("--crop must be a multiple of 64");
  if (cfg.pool < cfg.batch) throw UsageError("the latent pool must hold at least one batch");
}

CheckerboardContext load_context(const std::string& dir, int64_t* step) {
  auto kv = read_state(dir, {"step", "M", "channels"});
  CheckerboardContext ctx(static_cast<int64_t>(kv["M"]), static_cast<int64_t>(kv["channels"]));
  torch::load(ctx, weights_path(dir, 0));
  if (step) *step = static_cast<int64_t>(kv["step"]);
  return ctx;
}

}  // namespace

void train_context(const ContextTrainConfig& cfg) {
  check_config(cfg);
  const CodecModel m = load_model(cfg.model_path);
  if (m.has_context) throw UsageError(cfg.model_path + " already has a context model");
  const int64_t M = m.net->config().M;
  fs::create_directories(cfg.checkpoint_dir);
  int64_t step = 0;
  const bool resume = fs::exists(cfg.checkpoint_dir + "/model.pt") && fs::exists(cfg.checkpoint_dir + "/state.txt");
  CheckerboardContext ctx = resume ? load_context(cfg.checkpoint_dir, &step) : CheckerboardContext(M, cfg.channels);
  if (ctx->M() != M) throw UsageError("the checkpoint's context is for M = " + std::to_string(ctx->M()));
  torch::optim::Adam opt(ctx->parameters(), torch::optim::AdamOptions(cfg.lr));
  if (resume) {
    torch::load(opt, cfg.checkpoint_dir + "/optim.pt");
    std::fprintf(stderr, "train-context: resuming %s at step %lld\n", cfg.checkpoint_dir.c_str(), static_cast<long long>(step));
  }
  std::fprintf(stderr, "train-context: frozen %s (%s); context %lld channels; latents of %lld crops %lldx%lld...\n",
               cfg.model_path.c_str(), m.description.c_str(), static_cast<long long>(ctx->channels()),
               static_cast<long long>(cfg.pool), static_cast<long long>(cfg.crop), static_cast<long long>(cfg.crop));
  const torch::Tensor pool = pool_latents(m, cfg, cfg.pool, cfg.seed);
  std::mt19937_64 rng(cfg.seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(step));
  torch::manual_seed(cfg.seed + static_cast<uint64_t>(step));
  std::ofstream log(cfg.checkpoint_dir + "/log.csv", std::ios::app);
  if (step == 0) log << "step,bpp_non_anchor,bpp_non_anchor_hyperprior_only,seconds\n";
  const double pixels = static_cast<double>(cfg.batch * cfg.crop * cfg.crop);
  double sum = 0, sum_base = 0;
  int64_t in_window = 0;
  auto t0 = std::chrono::steady_clock::now();
  while (step < cfg.steps) {
    const double lr = step >= cfg.steps * 3 / 4 ? cfg.lr / 10 : cfg.lr;
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
    auto idx = torch::randint(pool.size(0), {cfg.batch}, torch::kLong);
    const Latents l = hyperprior(m, pool.index_select(0, idx), draw_levels(m, cfg.q_min, cfg.batch, rng));
    auto d = ctx->forward(l.anchor_symbols, l.means, l.log_scales);
    auto scales = torch::exp(bound(l.log_scales + d.narrow(1, M, M), std::log(kScaleMin), std::log(kScaleMax)));
    auto noisy = l.y + torch::rand_like(l.y) - 0.5;
    auto loss = non_anchor_bpp(l, noisy, l.means + d.narrow(1, 0, M), scales, pixels);
    opt.zero_grad();
    loss.backward();
    opt.step();
    ++step;
    sum += loss.item<double>();
    sum_base += non_anchor_bpp(l, noisy, l.means, l.table_scales, pixels).item<double>();
    ++in_window;
    if (step % cfg.log_every == 0 || step == cfg.steps) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const double a = sum / static_cast<double>(in_window), b = sum_base / static_cast<double>(in_window);
      log << step << "," << a << "," << b << "," << secs << "\n" << std::flush;
      std::fprintf(stderr, "train-context: step %lld/%lld non-anchor %.4f bpp (hyperprior alone %.4f, %+.1f%%) | %.2f s/step lr %.0e\n",
                   static_cast<long long>(step), static_cast<long long>(cfg.steps), a, b, 100.0 * (a / b - 1.0),
                   secs / static_cast<double>(in_window), lr);
      sum = sum_base = 0;
      in_window = 0;
      t0 = std::chrono::steady_clock::now();
    }
    if (step % cfg.checkpoint_every == 0 || step == cfg.steps) {
      save_checkpoint(cfg.checkpoint_dir, step, ctx, opt, {{"M", static_cast<double>(M)}, {"channels", static_cast<double>(ctx->channels())}});
    }
  }
  std::fprintf(stderr, "train-context: done, %lld steps, checkpoint in %s\n", static_cast<long long>(step), cfg.checkpoint_dir.c_str());
}

std::string export_context_model(const ContextTrainConfig& cfg, uint32_t version, const std::string& notes,
                                  const std::string& out_path) {
  check_config(cfg);
  quant::ModelFile f = quant::ModelFile::load(cfg.model_path);
  const CodecModel m = load_model(f);
  if (m.has_context) throw UsageError(cfg.model_path + " already has a context model");
  if (version == m.version) throw UsageError("the model with a context needs a model version other than the base's");
  int64_t step = 0;
  CheckerboardContext ctx = load_context(cfg.checkpoint_dir, &step);
  torch::NoGradGuard ng;
  // Calibration crops (not the training pool's) over the whole rate range.
  const torch::Tensor y0 = pool_latents(m, cfg, 64, cfg.seed + 1000);
  ContextCalibration calib;
  std::vector<Latents> levels;
  std::vector<torch::Tensor> sym, mq, lq;
  for (double q = cfg.q_min; q <= static_cast<double>(m.net->config().levels - 1) + 1e-9; q += 1.0) {
    levels.push_back(hyperprior(m, y0, torch::full({y0.size(0)}, q)));
    sym.push_back(levels.back().anchor_symbols);
    mq.push_back(levels.back().mean_q);
    lq.push_back(levels.back().log_scale_q);
  }
  calib.anchor_symbols = torch::cat(sym, 0);
  calib.mean_q = torch::cat(mq, 0);
  calib.log_scale_q = torch::cat(lq, 0);
  const auto ictx = IntegerCheckerboardContext::from_float(ctx, m.h_s.mean_shift(), calib);

  // What the integer context saves on these crops, coded as the codec codes them: symbols round(y - mean), table
  // scales.
  std::ostringstream report;
  const double pixels = static_cast<double>(y0.size(0) * cfg.crop * cfg.crop);
  double q = cfg.q_min;
  for (const auto& l : levels) {
    auto [mean_q, log_scale_q] = ictx.forward(l.anchor_symbols, l.mean_q, l.log_scale_q);
    const auto p = m.h_s.finish(mean_q, log_scale_q);
    auto sym_ctx = torch::round(l.y - p.means), sym_base = torch::round(l.y - l.means);
    const double with = non_anchor_bpp(l, sym_ctx, torch::zeros_like(sym_ctx), table_scales(p.index), pixels).item<double>();
    const double without = non_anchor_bpp(l, sym_base, torch::zeros_like(sym_base), l.table_scales, pixels).item<double>();
    char line[160];
    std::snprintf(line, sizeof line, "  q %+5.1f: non-anchor y %.4f -> %.4f bpp (%+.1f%%) on %lld calibration crops\n", q,
                  without, with, 100.0 * (with / without - 1.0), static_cast<long long>(y0.size(0)));
    report << line;
    q += 1.0;
  }
  ictx.save(f);
  f.metadata["context"] = "checkerboard";
  f.metadata["context_base_version"] = std::to_string(m.version);
  f.metadata["model_version"] = std::to_string(version);
  f.metadata["training"] = f.metadata["training"] + "; checkerboard context: " + std::to_string(step) +
                           " steps on the frozen v" + std::to_string(m.version) + (notes.empty() ? "" : ", " + notes);
  report << save_model_file(f, out_path);
  return report.str();
}

}  // namespace nicodec::codecs::image
