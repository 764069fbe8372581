#include "quant/layers/int8_conv.h"

#include <ATen/core/dispatch/Dispatcher.h>

#include <algorithm>

#include "core/error.h"

namespace nicodec::quant {

namespace {

constexpr int64_t kZeroPoint = 128;

// Picks the best quantized engine this libtorch was built with, once (libtorch keeps it process-wide).
bool select_engine() {
  const auto& engines = at::globalContext().supportedQEngines();
  auto has = [&](at::QEngine e) { return std::find(engines.begin(), engines.end(), e) != engines.end(); };
  for (auto e : {at::QEngine::FBGEMM, at::QEngine::ONEDNN, at::QEngine::QNNPACK})
    if (has(e)) {
      at::globalContext().setQEngine(e);
      return true;
    }
  return false;
}

const c10::OperatorHandle* find_op(const char* name, const char* overload) {
  auto h = c10::Dispatcher::singleton().findSchema({name, overload});
  if (!h) return nullptr;
  return new c10::OperatorHandle(*h);  // never freed: lives as long as the process, like the dispatcher
}

struct Ops {
  const c10::OperatorHandle* prepack = nullptr;
  const c10::OperatorHandle* conv = nullptr;
  bool ok = false;
};

const Ops& ops() {
  static const Ops o = [] {
    Ops r;
    r.prepack = find_op("quantized::conv2d_prepack", "");
    r.conv = find_op("quantized::conv2d", "new");
    r.ok = r.prepack && r.conv && select_engine();
    return r;
  }();
  return o;
}

}  // namespace

bool Int8Conv2d::available() { return ops().ok; }

Int8Conv2d::Int8Conv2d(const torch::Tensor& weight, const torch::Tensor& bias, int64_t stride, int64_t padding,
                       double in_scale, double out_scale)
    : stride_(stride), padding_(padding), in_scale_(in_scale), out_scale_(out_scale) {
  if (weight.dim() != 4) throw UsageError("Int8Conv2d: weight must be [out, in, k, k]");
  if (!(in_scale > 0) || !(out_scale > 0)) throw UsageError("Int8Conv2d: scales must be positive");
  torch::NoGradGuard ng;
  auto w = weight.detach().to(torch::kFloat).cpu().contiguous();
  const int64_t out = w.size(0);
  auto scales = (w.abs().reshape({out, -1}).amax(1) / 127.0).clamp_min(1e-12).to(torch::kDouble);
  qweight_ = torch::quantize_per_channel(w, scales, torch::zeros({out}, torch::kLong), 0, torch::kQInt8);
  bias_ = bias.defined() ? bias.detach().to(torch::kFloat).cpu().contiguous() : torch::zeros({out});
  if (available()) {
    torch::jit::Stack st{qweight_, c10::optional<at::Tensor>(bias_), c10::List<int64_t>({stride, stride}),
                         c10::List<int64_t>({padding, padding}), c10::List<int64_t>({1, 1}), int64_t{1}};
    ops().prepack->callBoxed(&st);
    packed_ = st[0];
  }
}

torch::Tensor Int8Conv2d::forward(const torch::Tensor& x) const {
  if (!available()) return forward_reference(x).to(torch::kFloat);
  torch::NoGradGuard ng;
  auto qx = torch::quantize_per_tensor(x.to(torch::kFloat).contiguous(), in_scale_, kZeroPoint, torch::kQUInt8);
  torch::jit::Stack st{qx, packed_, out_scale_, kZeroPoint};
  ops().conv->callBoxed(&st);
  return st[0].toTensor().dequantize();
}

torch::Tensor Int8Conv2d::forward_reference(const torch::Tensor& x) const {
  torch::NoGradGuard ng;
  // Activations: uint8 steps around the zero point, as quantize_per_tensor rounds (half to even).
  auto xq = (torch::round(x.to(torch::kDouble) / in_scale_) + kZeroPoint).clamp(0, 255) - kZeroPoint;
  auto wq = qweight_.int_repr().to(torch::kDouble);
  auto ws = qweight_.q_per_channel_scales().to(torch::kDouble);
  auto acc = torch::conv2d(xq, wq, {}, stride_, padding_);  // exact: integers far below 2^53
  auto y = acc * (ws.view({1, -1, 1, 1}) * in_scale_) + bias_.to(torch::kDouble).view({1, -1, 1, 1});
  auto yq = (torch::round(y / out_scale_) + kZeroPoint).clamp(0, 255) - kZeroPoint;
  return yq * out_scale_;
}

}  // namespace nicodec::quant
