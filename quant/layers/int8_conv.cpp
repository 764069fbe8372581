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

struct OpPair {
  c10::optional<c10::OperatorHandle> prepack, run;
};

struct Ops {
  OpPair op[4];
  bool ok = false;
};

const Ops& ops() {
  static const Ops o = [] {
    Ops r;
    auto find = [](const char* name, const char* overload) {
      return c10::Dispatcher::singleton().findSchema({name, overload});
    };
    r.op[static_cast<int>(Int8Op::kLinear)] = {find("quantized::linear_prepack", ""), find("quantized::linear", "")};
    r.op[static_cast<int>(Int8Op::kConv1d)] = {find("quantized::conv1d_prepack", ""), find("quantized::conv1d", "")};
    r.op[static_cast<int>(Int8Op::kConv2d)] = {find("quantized::conv2d_prepack", ""), find("quantized::conv2d", "new")};
    r.op[static_cast<int>(Int8Op::kConvTranspose2d)] = {find("quantized::conv_transpose2d_prepack", ""),
                                                        find("quantized::conv_transpose2d", "")};
    r.ok = std::all_of(std::begin(r.op), std::end(r.op), [](const OpPair& p) { return p.prepack && p.run; }) &&
           select_engine();
    return r;
  }();
  return o;
}

c10::List<int64_t> pair(int64_t v, Int8Op op) {
  return op == Int8Op::kConv1d ? c10::List<int64_t>({v}) : c10::List<int64_t>({v, v});
}

}  // namespace

bool Int8Layer::available() { return ops().ok; }

Int8Layer Int8Layer::linear(const torch::Tensor& w, const torch::Tensor& b, double in_scale, double out_scale) {
  return Int8Layer(Int8Op::kLinear, w, b, 1, 0, 0, in_scale, out_scale);
}
Int8Layer Int8Layer::conv1d(const torch::Tensor& w, const torch::Tensor& b, int64_t stride, int64_t padding,
                            double in_scale, double out_scale) {
  return Int8Layer(Int8Op::kConv1d, w, b, stride, padding, 0, in_scale, out_scale);
}
Int8Layer Int8Layer::conv2d(const torch::Tensor& w, const torch::Tensor& b, int64_t stride, int64_t padding,
                            double in_scale, double out_scale) {
  return Int8Layer(Int8Op::kConv2d, w, b, stride, padding, 0, in_scale, out_scale);
}
Int8Layer Int8Layer::conv_transpose2d(const torch::Tensor& w, const torch::Tensor& b, int64_t stride, int64_t padding,
                                      int64_t output_padding, double in_scale, double out_scale) {
  return Int8Layer(Int8Op::kConvTranspose2d, w, b, stride, padding, output_padding, in_scale, out_scale);
}

Int8Layer::Int8Layer(Int8Op op, const torch::Tensor& weight, const torch::Tensor& bias, int64_t stride, int64_t padding,
                     int64_t output_padding, double in_scale, double out_scale)
    : op_(op), stride_(stride), padding_(padding), output_padding_(output_padding), in_scale_(in_scale),
      out_scale_(out_scale) {
  const int64_t dims[] = {2, 3, 4, 4};
  if (weight.dim() != dims[static_cast<int>(op)]) throw UsageError("Int8Layer: weight has the wrong number of dimensions");
  if (!(in_scale > 0) || !(out_scale > 0)) throw UsageError("Int8Layer: scales must be positive");
  if (output_padding < 0 || output_padding > padding || output_padding >= std::max<int64_t>(1, stride))
    throw UsageError("Int8Layer: output_padding must be below the stride and at most the padding");
  torch::NoGradGuard ng;
  auto w = weight.detach().to(torch::kFloat).cpu().contiguous();
  const bool transposed = op == Int8Op::kConvTranspose2d;
  const int64_t out = transposed ? w.size(1) : w.size(0);
  if (transposed) {  // per-tensor: what every quantized engine supports for transposed convolutions
    qweight_ = torch::quantize_per_tensor(w, std::max(1e-12, w.abs().max().item<double>() / 127.0), 0, torch::kQInt8);
  } else {
    auto scales = (w.abs().reshape({out, -1}).amax(1) / 127.0).clamp_min(1e-12).to(torch::kDouble);
    qweight_ = torch::quantize_per_channel(w, scales, torch::zeros({out}, torch::kLong), 0, torch::kQInt8);
  }
  bias_ = bias.defined() ? bias.detach().to(torch::kFloat).cpu().contiguous() : torch::zeros({out});
  const int64_t k = op == Int8Op::kLinear ? 1 : w.size(2);
  const bool same = op == Int8Op::kLinear || (stride == 1 && k % 2 == 1 && padding == k / 2);
  if (!transposed && same && Int8VnniConv::cpu_supported()) {
    auto wq = qweight_.int_repr().contiguous();
    auto ws = qweight_.q_per_channel_scales().to(torch::kFloat).contiguous();
    const int64_t kh = op == Int8Op::kConv2d ? k : 1;
    vnni_ = std::make_shared<const Int8VnniConv>(wq.data_ptr<int8_t>(), ws.data_ptr<float>(), bias_.data_ptr<float>(),
                                                 static_cast<int>(out), static_cast<int>(w.size(1)),
                                                 static_cast<int>(kh), static_cast<int>(k),
                                                 static_cast<float>(in_scale), static_cast<float>(out_scale));
  }
  if (!available()) return;
  const auto& p = ops().op[static_cast<int>(op)];
  torch::jit::Stack st;
  if (op == Int8Op::kLinear)
    st = {qweight_, c10::optional<at::Tensor>(bias_)};
  else if (transposed)  // unpadded: oneDNN has no output_padding, so forward() crops the full output instead
    st = {qweight_, c10::optional<at::Tensor>(bias_), pair(stride, op), pair(0, op), pair(0, op), pair(1, op),
          int64_t{1}};
  else
    st = {qweight_, c10::optional<at::Tensor>(bias_), pair(stride, op), pair(padding, op), pair(1, op), int64_t{1}};
  p.prepack->callBoxed(&st);
  packed_ = st[0];
}

torch::Tensor Int8Layer::forward(const torch::Tensor& x) const {
  torch::NoGradGuard ng;
  if (uses_vnni()) return forward_vnni(x);
  if (!available()) return forward_reference(x).to(torch::kFloat);
  auto qx = torch::quantize_per_tensor(x.to(torch::kFloat).contiguous(), in_scale_, kZeroPoint, torch::kQUInt8);
  torch::jit::Stack st{qx, packed_, out_scale_, kZeroPoint};
  ops().op[static_cast<int>(op_)].run->callBoxed(&st);
  auto y = st[0].toTensor().dequantize();
  if (op_ == Int8Op::kConvTranspose2d) {  // the padded output is a window of the unpadded one
    const int64_t k = qweight_.size(2);
    const int64_t ho = (x.size(2) - 1) * stride_ - 2 * padding_ + k + output_padding_;
    const int64_t wo = (x.size(3) - 1) * stride_ - 2 * padding_ + k + output_padding_;
    y = y.narrow(2, padding_, ho).narrow(3, padding_, wo);
  }
  return y;
}

torch::Tensor Int8Layer::forward_vnni(const torch::Tensor& x) const {
  auto xc = x.to(torch::kFloat).contiguous();
  const int out = vnni_->out();
  if (op_ == Int8Op::kLinear) {
    if (xc.size(-1) != vnni_->in()) throw UsageError("Int8Layer: input has the wrong number of features");
    auto sizes = xc.sizes().vec();
    sizes.back() = out;
    auto y = torch::empty(sizes);
    vnni_->forward_rows(xc.data_ptr<float>(), static_cast<int>(xc.numel() / vnni_->in()), y.data_ptr<float>());
    return y;
  }
  const bool conv2d = op_ == Int8Op::kConv2d;
  if (xc.dim() != (conv2d ? 4 : 3) || xc.size(1) != vnni_->in())
    throw UsageError("Int8Layer: input has the wrong shape for this convolution");
  const int h = conv2d ? static_cast<int>(xc.size(2)) : 1, w = static_cast<int>(xc.size(-1));
  auto sizes = xc.sizes().vec();
  sizes[1] = out;
  auto y = torch::empty(sizes);
  for (int64_t n = 0; n < xc.size(0); ++n)
    vnni_->forward_planes(xc[n].data_ptr<float>(), h, w, y[n].data_ptr<float>());
  return y;
}

torch::Tensor Int8Layer::forward_reference(const torch::Tensor& x) const {
  torch::NoGradGuard ng;
  // Activations: uint8 steps around the zero point, rounded as quantize_per_tensor does (half to even).
  auto xq = (torch::round(x.to(torch::kDouble) / in_scale_) + kZeroPoint).clamp(0, 255) - kZeroPoint;
  auto wq = qweight_.int_repr().to(torch::kDouble);
  const bool transposed = op_ == Int8Op::kConvTranspose2d;
  const int64_t out = transposed ? wq.size(1) : wq.size(0);
  auto ws = transposed ? torch::full({out}, qweight_.q_scale(), torch::kDouble)
                       : qweight_.q_per_channel_scales().to(torch::kDouble);
  torch::Tensor acc;  // exact: integer products and sums far below 2^53
  switch (op_) {
    case Int8Op::kLinear: acc = torch::matmul(xq, wq.t()); break;
    case Int8Op::kConv1d: acc = torch::conv1d(xq, wq, {}, stride_, padding_); break;
    case Int8Op::kConv2d: acc = torch::conv2d(xq, wq, {}, stride_, padding_); break;
    case Int8Op::kConvTranspose2d:
      acc = torch::conv_transpose2d(xq, wq, {}, stride_, padding_, output_padding_);
      break;
  }
  std::vector<int64_t> shape(static_cast<size_t>(acc.dim()), 1);
  shape[op_ == Int8Op::kLinear ? shape.size() - 1 : 1] = out;
  auto y = acc * (ws * in_scale_).view(shape) + bias_.to(torch::kDouble).view(shape);
  auto yq = (torch::round(y / out_scale_) + kZeroPoint).clamp(0, 255) - kZeroPoint;
  return yq * out_scale_;
}

}  // namespace nicodec::quant
