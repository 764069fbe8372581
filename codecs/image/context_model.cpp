#include "codecs/image/context_model.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"
#include "quant/layers/integer_conv_io.h"

namespace nicodec::codecs::image {

namespace {

namespace nn = torch::nn;
constexpr int64_t kActMax = 32767;
constexpr int kHeadWeightBits = 16;  // as h_s's heads: the outputs are added to precise integer parameters

nn::Conv2d conv(int64_t in, int64_t out, int64_t k) { return nn::Conv2d(nn::Conv2dOptions(in, out, k).padding(k / 2)); }

// x * 2^-from as an integer in steps of 2^-to, rounded down (exact integer arithmetic).
torch::Tensor rescale(const torch::Tensor& x, int from, int to) {
  auto v = x.to(torch::kLong);
  if (from > to) return torch::div(v, int64_t{1} << (from - to), "floor");
  return v * (int64_t{1} << (to - from));
}

// The hyperprior's integer means and log-scales as the context's input: both in steps of 2^-kContextInputShift.
torch::Tensor hyper_input(const torch::Tensor& mean_q, const torch::Tensor& log_scale_q, int mean_shift) {
  return torch::cat({rescale(mean_q, mean_shift, kContextInputShift),
                     rescale(log_scale_q, kLogScaleShift, kContextInputShift)}, 1).clamp(-kActMax, kActMax);
}

// Calibrated output scale of a layer: 1.25x headroom over the largest magnitude seen.
double scale_for(const torch::Tensor& x) {
  return std::max(1e-6, x.abs().max().item<double>() * 1.25 / static_cast<double>(kActMax));
}

// The 5x5 context layer where it matters: its input is zero off the anchors and only the non-anchors' outputs are
// used (every later layer is 1x1, so no anchor output reaches a non-anchor). So only the 12 taps that land on
// anchors are gathered, at the non-anchor positions only: a quarter of the dense product, the same integer sums
// (the skipped products are exact zeros). Outputs at the anchors are left 0.
torch::Tensor context_layer(const quant::IntegerConv2d& l, const torch::Tensor& x) {
  const auto& p = l.params();
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3), O = p.weight.size(0);
  const auto others = anchor_mask(H, W).logical_not().to(x.device());
  const int64_t L = others.sum().item<int64_t>();
  auto padded = torch::constant_pad_nd(x.to(torch::kDouble), {2, 2, 2, 2});
  std::vector<torch::Tensor> taps, weights;
  for (int64_t dr = -2; dr <= 2; ++dr)
    for (int64_t dc = -2; dc <= 2; ++dc) {
      if ((dr + dc) % 2 == 0) continue;  // lands on another non-anchor: zero input
      auto shifted = padded.narrow(2, 2 + dr, H).narrow(3, 2 + dc, W);
      taps.push_back(shifted.masked_select(others).view({N, C, L}));
      weights.push_back(p.weight.select(2, dr + 2).select(2, dc + 2));  // [O, C]
    }
  const int64_t T = static_cast<int64_t>(taps.size());
  auto cols = torch::stack(taps, 2).view({N, C * T, L});
  auto w = torch::stack(weights, 2).view({O, C * T}).to(x.device(), torch::kDouble);
  auto out = torch::zeros({N, O, H, W}, torch::TensorOptions().dtype(torch::kInt).device(x.device()));
  out.masked_scatter_(others.expand({N, O, H, W}), l.requantize(torch::matmul(w, cols)));
  return out;
}

torch::Tensor run_integer(const quant::IntegerConv2d& l, const torch::Tensor& x) { return l.forward(x); }
torch::Tensor run_reference(const quant::IntegerConv2d& l, const torch::Tensor& x) {
  return quant::integer_conv_reference(l.params(), x);
}

}  // namespace

torch::Tensor anchor_mask(int64_t h, int64_t w) {
  auto r = torch::arange(h, torch::kLong).view({h, 1}), c = torch::arange(w, torch::kLong).view({1, w});
  return ((r + c) % 2 == 0).view({1, 1, h, w});
}

CheckerboardContextImpl::CheckerboardContextImpl(int64_t M, int64_t channels) : M_(M), C_(channels) {
  ctx = register_module("ctx", conv(M, channels, 5));
  hyper = register_module("hyper", conv(2 * M, channels, 1));
  hidden = register_module("hidden", conv(channels, channels, 1));
  head = register_module("head", conv(channels, 2 * M, 1));
  torch::NoGradGuard ng;  // start as "no correction": the hyperprior alone
  head->weight.mul_(0.01);
  head->bias.zero_();
}

torch::Tensor CheckerboardContextImpl::forward(const torch::Tensor& anchor_symbols, const torch::Tensor& means,
                                               const torch::Tensor& log_scales) {
  auto h = torch::relu(ctx->forward(anchor_symbols) + hyper->forward(torch::cat({means, log_scales}, 1)));
  return head->forward(torch::relu(hidden->forward(h)));
}

IntegerCheckerboardContext::IntegerCheckerboardContext(quant::IntegerConv2d ctx, quant::IntegerConv2d hyper,
                                                       quant::IntegerConv2d hidden, quant::IntegerConv2d mean_head,
                                                       quant::IntegerConv2d scale_head, int mean_shift)
    : ctx_(std::move(ctx)), hyper_(std::move(hyper)), hidden_(std::move(hidden)), mean_head_(std::move(mean_head)),
      scale_head_(std::move(scale_head)), mean_shift_(mean_shift) {
  if (mean_shift < 0 || mean_shift > 14) throw UsageError("IntegerCheckerboardContext: mean_shift must be in [0, 14]");
}

IntegerCheckerboardContext IntegerCheckerboardContext::from_float(CheckerboardContext& net, int mean_shift,
                                                                  const ContextCalibration& calib) {
  torch::NoGradGuard ng;
  const int64_t M = net->M();
  IntegerCheckerboardContext r;
  r.mean_shift_ = mean_shift;
  // The float network on what the integer one will see: means and log-scales in steps of 2^-kContextInputShift.
  const double step = std::ldexp(1.0, -kContextInputShift);
  auto hyp_in = hyper_input(calib.mean_q, calib.log_scale_q, mean_shift).to(torch::kFloat) * step;
  auto a = net->ctx->forward(calib.anchor_symbols.to(torch::kFloat));
  auto b = net->hyper->forward(hyp_in);
  const double s1 = std::max({scale_for(a), scale_for(b), scale_for(torch::relu(a + b))});
  auto h1 = torch::relu(a + b);
  auto h2 = torch::relu(net->hidden->forward(h1));
  const double s2 = scale_for(h2);
  r.ctx_ = quant::IntegerConv2d::from_float(net->ctx->weight, net->ctx->bias, 1.0, s1, false, 1, 2);
  r.hyper_ = quant::IntegerConv2d::from_float(net->hyper->weight, net->hyper->bias, step, s1, false, 1, 0);
  r.hidden_ = quant::IntegerConv2d::from_float(net->hidden->weight, net->hidden->bias, s1, s2, false, 1, 0, 0, true);
  const auto& w = net->head->weight;
  const auto& bias = net->head->bias;
  r.mean_head_ = quant::IntegerConv2d::from_float(w.narrow(0, 0, M), bias.narrow(0, 0, M), s2,
                                                  std::ldexp(1.0, -mean_shift), false, 1, 0, 0, false, kHeadWeightBits);
  r.scale_head_ = quant::IntegerConv2d::from_float(w.narrow(0, M, M), bias.narrow(0, M, M), s2,
                                                   std::ldexp(1.0, -kLogScaleShift), false, 1, 0, 0, false,
                                                   kHeadWeightBits);
  return r;
}

void IntegerCheckerboardContext::save(quant::ModelFile& f) const {
  quant::save_integer_conv(f, "ctx.int.ctx", ctx_);
  quant::save_integer_conv(f, "ctx.int.hyper", hyper_);
  quant::save_integer_conv(f, "ctx.int.hidden", hidden_);
  quant::save_integer_conv(f, "ctx.int.mean", mean_head_);
  quant::save_integer_conv(f, "ctx.int.scale", scale_head_);
  f.metadata["ctx.int.channels"] = std::to_string(ctx_.params().weight.size(0));
}

IntegerCheckerboardContext IntegerCheckerboardContext::load(const quant::ModelFile& f, int64_t M, int mean_shift) {
  const int64_t C = f.metadata_int("ctx.int.channels", 1, 4096);
  IntegerCheckerboardContext r;
  r.mean_shift_ = mean_shift;
  r.ctx_ = quant::load_integer_conv(f, "ctx.int.ctx", {C, M, 5, 5});
  r.hyper_ = quant::load_integer_conv(f, "ctx.int.hyper", {C, 2 * M, 1, 1});
  r.hidden_ = quant::load_integer_conv(f, "ctx.int.hidden", {C, C, 1, 1});
  r.mean_head_ = quant::load_integer_conv(f, "ctx.int.mean", {M, C, 1, 1});
  r.scale_head_ = quant::load_integer_conv(f, "ctx.int.scale", {M, C, 1, 1});
  for (const auto* l : {&r.ctx_, &r.hyper_, &r.hidden_, &r.mean_head_, &r.scale_head_}) {
    const auto& p = l->params();
    if (p.transposed || p.stride != 1 || p.padding != p.weight.size(2) / 2)
      throw FormatError("model file: the checkerboard context's layers must be 'same' stride-1 convolutions");
  }
  return r;
}

std::pair<torch::Tensor, torch::Tensor> IntegerCheckerboardContext::run(const torch::Tensor& anchor_symbols,
                                                                        const torch::Tensor& mean_q,
                                                                        const torch::Tensor& log_scale_q, Conv first,
                                                                        Conv conv) const {
  const auto anchors = anchor_mask(mean_q.size(2), mean_q.size(3)).to(mean_q.device());
  auto sym = anchor_symbols.to(torch::kLong).clamp(-kActMax, kActMax).masked_fill(anchors.logical_not(), 0);
  auto hyp = hyper_input(mean_q, log_scale_q, mean_shift_);
  // Both branches come out in the same integer steps, so their sum is exact; ReLU after the sum.
  auto h = (first(ctx_, sym).to(torch::kLong) + conv(hyper_, hyp).to(torch::kLong)).clamp(0, kActMax);
  h = conv(hidden_, h);
  auto mean = (mean_q.to(torch::kLong) + conv(mean_head_, h).to(torch::kLong)).clamp(-kActMax, kActMax);
  auto log_scale = (log_scale_q.to(torch::kLong) + conv(scale_head_, h).to(torch::kLong)).clamp(-32768, 32767);
  return {torch::where(anchors, mean_q.to(torch::kLong), mean).to(torch::kInt),
          torch::where(anchors, log_scale_q.to(torch::kLong), log_scale).to(torch::kInt)};
}

std::pair<torch::Tensor, torch::Tensor> IntegerCheckerboardContext::forward(const torch::Tensor& anchor_symbols,
                                                                            const torch::Tensor& mean_q,
                                                                            const torch::Tensor& log_scale_q) const {
  return run(anchor_symbols, mean_q, log_scale_q, context_layer, run_integer);
}

std::pair<torch::Tensor, torch::Tensor> IntegerCheckerboardContext::forward_reference(
    const torch::Tensor& anchor_symbols, const torch::Tensor& mean_q, const torch::Tensor& log_scale_q) const {
  return run(anchor_symbols, mean_q, log_scale_q, run_reference, run_reference);
}

}  // namespace nicodec::codecs::image
