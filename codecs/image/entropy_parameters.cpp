#include "codecs/image/entropy_parameters.h"

#include <cmath>
#include <string>

#include "core/error.h"
#include "entropy/distributions.h"
#include "quant/layers/integer_conv_io.h"

namespace nicodec::codecs::image {

namespace {

constexpr int64_t kActMax = 32767;
// 16-bit weights: the log-scale head sums large, cancelling terms (outputs of unused channels sit far below the
// smallest scale), where int8 weights left errors of several table steps.
constexpr int kWeightBits = 16;

// One layer of the float h_s as integer parameters: weight, bias, multiplier, shift, out_min.
struct FloatConv {
  torch::Tensor weight, bias;
  bool transposed;
  int64_t stride, padding, output_padding;
};

FloatConv float_conv(torch::nn::Sequential& seq, size_t i) {
  auto m = seq->ptr(i);
  if (auto* c = m->as<torch::nn::Conv2d>()) {
    const auto& o = c->options;
    return {c->weight, c->bias, false, (*o.stride())[0], c->weight.size(2) / 2, 0};  // our convs pad k / 2
  }
  if (auto* d = m->as<torch::nn::ConvTranspose2d>()) {
    const auto& o = d->options;
    return {d->weight, d->bias, true, (*o.stride())[0], d->weight.size(2) / 2, (*o.output_padding())[0]};
  }
  throw UsageError("h_s layer " + std::to_string(i) + " is not a convolution");
}

torch::Tensor run_float(const FloatConv& c, const torch::Tensor& x) {
  namespace F = torch::nn::functional;
  if (c.transposed)
    return F::conv_transpose2d(x, c.weight, F::ConvTranspose2dFuncOptions().bias(c.bias).stride(c.stride)
                                              .padding(c.padding).output_padding(c.output_padding));
  return F::conv2d(x, c.weight, F::Conv2dFuncOptions().bias(c.bias).stride(c.stride).padding(c.padding));
}

}  // namespace

const std::vector<double>& scale_table() {
  static const std::vector<double> t = entropy::make_scale_table(64, kScaleMin, kScaleMax);
  return t;
}

torch::Tensor table_scales(const torch::Tensor& index) {
  const auto& st = scale_table();
  return torch::tensor(std::vector<float>(st.begin(), st.end())).to(index.device()).index({index.to(torch::kLong)});
}

const entropy::CdfTables& gaussian_tables() {
  static const entropy::CdfTables t = entropy::make_parametric_tables(entropy::Family::kGaussian, scale_table());
  return t;
}

IntegerHyperSynthesis IntegerHyperSynthesis::from_float(torch::nn::Sequential& h_s, int64_t M, const torch::Tensor& z_calib) {
  torch::NoGradGuard ng;
  IntegerHyperSynthesis r;
  if (h_s->size() != 5) throw UsageError("integer h_s expects conv, ReLU, conv, ReLU, conv");
  double in_scale = 1.0;
  auto x = z_calib.to(torch::kFloat).cpu();
  for (size_t i = 0; i + 1 < h_s->size(); i += 2) {
    auto c = float_conv(h_s, i);
    x = torch::relu(run_float(c, x));
    // 1.25x headroom over the calibration maximum; saturation beyond is harmless (the same everywhere).
    const double out_scale = std::max(1e-6, x.max().item<double>() * 1.25 / static_cast<double>(kActMax));
    r.hidden_.push_back(quant::IntegerConv2d::from_float(c.weight, c.bias, in_scale, out_scale, c.transposed, c.stride,
                                                         c.padding, c.output_padding, true, kWeightBits));
    in_scale = out_scale;
  }
  auto last = float_conv(h_s, h_s->size() - 1);
  auto out = run_float(last, x);
  const double mean_amax = out.narrow(1, 0, M).abs().max().item<double>() * 1.5 + 1.0;
  r.mean_shift_ = std::max(0, std::min(14, static_cast<int>(std::floor(std::log2(kActMax / mean_amax)))));
  auto wm = last.weight.narrow(0, 0, M), ws = last.weight.narrow(0, M, M);
  auto bm = last.bias.narrow(0, 0, M), bs = last.bias.narrow(0, M, M);
  r.mean_head_ = quant::IntegerConv2d::from_float(wm, bm, in_scale, std::ldexp(1.0, -r.mean_shift_), false, last.stride,
                                                   last.padding, 0, false, kWeightBits);
  r.scale_head_ = quant::IntegerConv2d::from_float(ws, bs, in_scale, std::ldexp(1.0, -kLogScaleShift), false,
                                                    last.stride, last.padding, 0, false, kWeightBits);
  r.build_index_lut();
  return r;
}

void IntegerHyperSynthesis::save(quant::ModelFile& f) const {
  for (size_t i = 0; i < hidden_.size(); ++i) quant::save_integer_conv(f, "h_s.int." + std::to_string(i), hidden_[i]);
  quant::save_integer_conv(f, "h_s.int.mean", mean_head_);
  quant::save_integer_conv(f, "h_s.int.scale", scale_head_);
  f.metadata["h_s.int.layers"] = std::to_string(hidden_.size());
  f.metadata["h_s.int.mean_shift"] = std::to_string(mean_shift_);
}

IntegerHyperSynthesis IntegerHyperSynthesis::load(const quant::ModelFile& f, int64_t Nz, int64_t M) {
  IntegerHyperSynthesis r;
  auto meta = [&](const std::string& k) {
    auto it = f.metadata.find(k);
    if (it == f.metadata.end()) throw FormatError("model file: no metadata '" + k + "'");
    return std::atoi(it->second.c_str());
  };
  const int layers = meta("h_s.int.layers");
  r.mean_shift_ = meta("h_s.int.mean_shift");
  if (layers < 1 || layers > 8 || r.mean_shift_ < 0 || r.mean_shift_ > 14) throw FormatError("model file: bad h_s.int metadata");
  int64_t in = Nz;
  for (int i = 0; i < layers; ++i) {
    const std::string prefix = "h_s.int." + std::to_string(i);
    const auto& w = f.raw(prefix + ".weight");
    if (w.shape.size() != 4 || w.shape[0] != in) throw FormatError("model file: " + prefix + ".weight has the wrong shape");
    r.hidden_.push_back(quant::load_integer_conv(f, prefix, w.shape));
    in = w.shape[1];
  }
  const auto& wm = f.raw("h_s.int.mean.weight");
  if (wm.shape.size() != 4 || wm.shape[0] != M || wm.shape[1] != in) throw FormatError("model file: h_s.int.mean.weight has the wrong shape");
  r.mean_head_ = quant::load_integer_conv(f, "h_s.int.mean", wm.shape);
  r.scale_head_ = quant::load_integer_conv(f, "h_s.int.scale", wm.shape);
  r.build_index_lut();
  return r;
}

void IntegerHyperSynthesis::to_float(torch::nn::Sequential& h_s) const {
  torch::NoGradGuard ng;
  if (h_s->size() != 2 * hidden_.size() + 1)
    throw UsageError("IntegerHyperSynthesis::to_float: h_s has " + std::to_string(h_s->size()) + " modules, expected " +
                     std::to_string(2 * hidden_.size() + 1));
  // The real-valued layer in integer units: acc * multiplier * 2^-shift, per output channel.
  auto real = [](const quant::IntegerConvParams& p, double out_unit) {
    auto m = p.multiplier.to(torch::kDouble) * torch::exp2(-p.shift.to(torch::kDouble)) * out_unit;
    auto per_out = p.transposed ? m.view({1, -1, 1, 1}) : m.view({-1, 1, 1, 1});
    return std::make_pair(p.weight.to(torch::kDouble) * per_out, p.bias.to(torch::kDouble) * m);
  };
  auto rms = [](const torch::Tensor& t) { return t.to(torch::kDouble).pow(2).mean().sqrt().item<double>(); };
  double in_scale = 1.0;  // float input = in_scale * integer input (z symbols: 1)
  for (size_t i = 0; i < hidden_.size(); ++i) {
    auto c = float_conv(h_s, 2 * i);
    auto [w, b] = real(hidden_[i].params(), 1.0);
    if (w.sizes() != c.weight.sizes()) throw UsageError("IntegerHyperSynthesis::to_float: layer shapes differ");
    const double wr = rms(w);
    const double out_scale = wr > 0 ? in_scale * rms(c.weight) / wr : in_scale;
    c.weight.copy_(w * (out_scale / in_scale));
    c.bias.copy_(b * out_scale);
    in_scale = out_scale;
  }
  auto last = float_conv(h_s, h_s->size() - 1);
  auto [wm, bm] = real(mean_head_.params(), std::ldexp(1.0, -mean_shift_));
  auto [ws, bs] = real(scale_head_.params(), std::ldexp(1.0, -kLogScaleShift));
  auto w = torch::cat({wm, ws}, 0), b = torch::cat({bm, bs}, 0);
  if (w.sizes() != last.weight.sizes()) throw UsageError("IntegerHyperSynthesis::to_float: head shapes differ");
  last.weight.copy_(w / in_scale);
  last.bias.copy_(b);
}

void IntegerHyperSynthesis::build_index_lut() {
  index_lut_.resize(65536);
  const auto& scales = scale_table();
  for (int v = -32768; v < 32768; ++v)
    index_lut_[static_cast<size_t>(v + 32768)] =
        entropy::scale_index(scales, entropy::det_exp(std::ldexp(static_cast<double>(v), -kLogScaleShift)));
}

IntegerHyperSynthesis::IntegerHyperSynthesis(std::vector<quant::IntegerConv2d> hidden, quant::IntegerConv2d mean_head,
                                             quant::IntegerConv2d scale_head, int mean_shift)
    : hidden_(std::move(hidden)), mean_head_(std::move(mean_head)), scale_head_(std::move(scale_head)),
      mean_shift_(mean_shift) {
  if (mean_shift < 0 || mean_shift > 14) throw UsageError("IntegerHyperSynthesis: mean_shift must be in [0, 14]");
  build_index_lut();
}

EntropyParameters IntegerHyperSynthesis::forward(const torch::Tensor& z_symbols) const {
  auto x = z_symbols.to(torch::kLong).clamp(-kZMax, kZMax);
  for (const auto& l : hidden_) x = l.forward(x);
  return finish(mean_head_.forward(x), scale_head_.forward(x));
}

EntropyParameters IntegerHyperSynthesis::forward_reference(const torch::Tensor& z_symbols) const {
  auto x = z_symbols.to(torch::kLong).clamp(-kZMax, kZMax);
  for (const auto& l : hidden_) x = quant::integer_conv_reference(l.params(), x);
  return finish(quant::integer_conv_reference(mean_head_.params(), x),
                quant::integer_conv_reference(scale_head_.params(), x));
}

EntropyParameters IntegerHyperSynthesis::finish(const torch::Tensor& mean_q, const torch::Tensor& log_scale_q) const {
  EntropyParameters p;
  p.mean_q = mean_q.to(torch::kInt);
  p.log_scale_q = log_scale_q.to(torch::kInt);
  p.means = mean_q.to(torch::kFloat) * std::ldexp(1.0, -mean_shift_);  // exact: a power of two
  auto ls = (log_scale_q.to(torch::kLong).clamp(-32768, 32767) + 32768).cpu().contiguous();
  auto idx = torch::empty(ls.sizes(), torch::kInt);
  const int64_t* lp = ls.data_ptr<int64_t>();
  int32_t* ip = idx.data_ptr<int32_t>();
  for (int64_t i = 0; i < ls.numel(); ++i) ip[i] = index_lut_[static_cast<size_t>(lp[i])];
  p.index = idx;
  return p;
}

}  // namespace nicodec::codecs::image
