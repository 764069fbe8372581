// Checkerboard context for the latent y (He et al. 2021, "Checkerboard context model for efficient learned image
// compression"). y is coded in two halves: the anchors ((row + column) even) with the hyperprior's means and
// scales, then the non-anchors with means and log-scales corrected by a small network that sees the decoded
// anchor symbols around each position (5x5) and the hyperprior's parameters there. Each half decodes in
// parallel: two passes, no pixel-serial autoregression.
//
//   d = head(relu(hidden(relu(ctx(anchor symbols) + hyper(means, log-scales)))))   d = (d mean, d log-scale)
//
// It is trained after the rest of the model, which stays frozen (context_trainer.h), so a model file gains a
// context without changing anything else. Coding runs the integer-exact form below, like h_s: the same
// corrected parameters on any CPU, thread count or GPU.
#pragma once
#include <torch/torch.h>

#include <utility>

#include "codecs/image/entropy_parameters.h"
#include "quant/layers/integer_conv.h"
#include "quant/model_file.h"

namespace nicodec::codecs::image {

// The hyperprior's means and log-scales enter the network in steps of 2^-kContextInputShift.
constexpr int kContextInputShift = 6;

// [1, 1, h, w] bool: true at the anchors ((row + column) even).
torch::Tensor anchor_mask(int64_t h, int64_t w);

class CheckerboardContextImpl : public torch::nn::Module {
 public:
  CheckerboardContextImpl(int64_t M, int64_t channels);
  // anchor_symbols: round(y - means) at the anchors, 0 elsewhere; means, log_scales: the hyperprior's (natural
  // log). Returns [B, 2M, h, w]: the corrections of the means (first M channels) and of the log-scales, meant for
  // the non-anchors.
  torch::Tensor forward(const torch::Tensor& anchor_symbols, const torch::Tensor& means, const torch::Tensor& log_scales);
  int64_t M() const { return M_; }
  int64_t channels() const { return C_; }
  torch::nn::Conv2d ctx{nullptr}, hyper{nullptr}, hidden{nullptr}, head{nullptr};

 private:
  int64_t M_, C_;
};
TORCH_MODULE(CheckerboardContext);

// Calibration inputs for the integer form: anchor symbols (0 at the non-anchors), the hyperprior's integer
// means and log-scales, as the codec computes them.
struct ContextCalibration {
  torch::Tensor anchor_symbols, mean_q, log_scale_q;
};

class IntegerCheckerboardContext {
 public:
  IntegerCheckerboardContext() = default;
  // ctx: 5x5 over the anchor symbols; hyper: 1x1 over (means, log-scales) in steps of 2^-kContextInputShift, to
  // the same output steps as ctx; hidden: 1x1 with ReLU; the heads: 1x1 to 2^-mean_shift and 2^-kLogScaleShift.
  IntegerCheckerboardContext(quant::IntegerConv2d ctx, quant::IntegerConv2d hyper, quant::IntegerConv2d hidden,
                             quant::IntegerConv2d mean_head, quant::IntegerConv2d scale_head, int mean_shift);
  static IntegerCheckerboardContext from_float(CheckerboardContext& net, int mean_shift, const ContextCalibration& calib);
  // Saved as "ctx.int.{ctx,hyper,hidden,mean,scale}.*" plus metadata.
  void save(quant::ModelFile& f) const;
  static IntegerCheckerboardContext load(const quant::ModelFile& f, int64_t M, int mean_shift);

  // The hyperprior's integer parameters with the non-anchors' corrected (the anchors' unchanged). anchor_symbols:
  // integer [B, M, h, w], zero at the non-anchors. Exact and deterministic.
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& anchor_symbols, const torch::Tensor& mean_q,
                                                  const torch::Tensor& log_scale_q) const;
  // The same through quant::integer_conv_reference: what forward() must equal.
  std::pair<torch::Tensor, torch::Tensor> forward_reference(const torch::Tensor& anchor_symbols,
                                                            const torch::Tensor& mean_q,
                                                            const torch::Tensor& log_scale_q) const;

 private:
  using Conv = torch::Tensor (*)(const quant::IntegerConv2d&, const torch::Tensor&);
  // first: how the 5x5 layer runs (fast: at the non-anchors only); conv: the 1x1 layers.
  std::pair<torch::Tensor, torch::Tensor> run(const torch::Tensor& anchor_symbols, const torch::Tensor& mean_q,
                                              const torch::Tensor& log_scale_q, Conv first, Conv conv) const;
  quant::IntegerConv2d ctx_, hyper_, hidden_, mean_head_, scale_head_;
  int mean_shift_ = 6;
};

}  // namespace nicodec::codecs::image
