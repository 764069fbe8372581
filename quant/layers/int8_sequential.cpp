#include "quant/layers/int8_sequential.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/error.h"

namespace nicodec::quant {

namespace {

double robust_amax(const torch::Tensor& x) {
  auto a = x.detach().abs().flatten();
  if (a.numel() > (1 << 20)) a = a.index_select(0, torch::randperm(a.numel(), torch::kLong).narrow(0, 0, 1 << 20));
  auto sorted = std::get<0>(a.sort());
  const int64_t k = std::min<int64_t>(a.numel() - 1, static_cast<int64_t>(0.99995 * static_cast<double>(a.numel())));
  return std::max(1e-6, sorted[k].item<double>());
}

std::string key(const std::string& prefix, size_t i, const char* what) {
  return prefix + "." + std::to_string(i) + "." + what;
}

}  // namespace

std::vector<size_t> Int8Sequential::int8_layers(torch::nn::Sequential& seq, bool keep_last_float) {
  std::vector<size_t> convs;
  for (size_t i = 0; i < seq->size(); ++i)
    if (seq->ptr(i)->as<torch::nn::Conv2d>() || seq->ptr(i)->as<torch::nn::Conv1d>() ||
        seq->ptr(i)->as<torch::nn::ConvTranspose2d>() || seq->ptr(i)->as<torch::nn::Linear>())
      convs.push_back(i);
  if (keep_last_float && !convs.empty()) convs.pop_back();
  return convs;
}

std::map<size_t, ActivationRange> Int8Sequential::calibrate(torch::nn::Sequential& seq, const torch::Tensor& inputs,
                                                            bool keep_last_float) {
  torch::NoGradGuard ng;
  std::map<size_t, ActivationRange> ranges;
  const auto layers = int8_layers(seq, keep_last_float);
  auto x = inputs;
  size_t i = 0;
  for (auto& m : *seq) {
    auto y = m.forward(x);
    if (std::find(layers.begin(), layers.end(), i) != layers.end())
      ranges[i] = {robust_amax(x) / 127.0, robust_amax(y) / 127.0};
    x = y;
    ++i;
  }
  return ranges;
}

void Int8Sequential::save(ModelFile& f, const std::string& prefix, const std::map<size_t, ActivationRange>& ranges) {
  char buf[32];
  for (const auto& [i, r] : ranges) {
    std::snprintf(buf, sizeof buf, "%.9g", r.in_scale);
    f.metadata[key(prefix, i, "in_scale")] = buf;
    std::snprintf(buf, sizeof buf, "%.9g", r.out_scale);
    f.metadata[key(prefix, i, "out_scale")] = buf;
  }
}

std::string Int8Sequential::calibrate_and_save(ModelFile& f, const std::string& prefix, const std::string& name,
                                               torch::nn::Sequential& seq, const torch::Tensor& inputs) {
  const auto ranges = calibrate(seq, inputs);
  save(f, prefix, ranges);
  std::string report;
  char line[200];
  for (const auto& [i, db] : from_ranges(seq, ranges).layer_sqnr_db(seq, inputs)) {
    std::snprintf(line, sizeof line, "  %s.%zu int8 layer output SQNR %.1f dB (uint8 activations, calibrated)\n", name.c_str(), i, db);
    report += line;
  }
  return report;
}

Int8Sequential Int8Sequential::from_ranges(torch::nn::Sequential& seq, const std::map<size_t, ActivationRange>& ranges) {
  Int8Sequential s;
  for (const auto& [i, r] : ranges) {
    if (i >= seq->size()) throw UsageError("Int8Sequential: no layer " + std::to_string(i));
    const auto m = seq->ptr(i);
    const std::string name = "Int8Sequential: layer " + std::to_string(i);
    if (auto* l = m->as<torch::nn::Linear>()) {
      s.layers_.emplace(i, Int8Layer::linear(l->weight, l->bias, r.in_scale, r.out_scale));
    } else if (auto* c1 = m->as<torch::nn::Conv1d>()) {
      const auto& o = c1->options;
      if ((*o.dilation())[0] != 1 || o.groups() != 1) throw UsageError(name + " is dilated or grouped");
      s.layers_.emplace(i, Int8Layer::conv1d(c1->weight, c1->bias, (*o.stride())[0], c1->weight.size(2) / 2,
                                             r.in_scale, r.out_scale));
    } else if (auto* c2 = m->as<torch::nn::Conv2d>()) {
      const auto& o = c2->options;
      if ((*o.dilation())[0] != 1 || o.groups() != 1) throw UsageError(name + " is dilated or grouped");
      s.layers_.emplace(i, Int8Layer::conv2d(c2->weight, c2->bias, (*o.stride())[0], c2->weight.size(2) / 2,
                                             r.in_scale, r.out_scale));
    } else if (auto* t = m->as<torch::nn::ConvTranspose2d>()) {
      const auto& o = t->options;
      if ((*o.dilation())[0] != 1 || o.groups() != 1) throw UsageError(name + " is dilated or grouped");
      s.layers_.emplace(i, Int8Layer::conv_transpose2d(t->weight, t->bias, (*o.stride())[0], t->weight.size(2) / 2,
                                                       (*o.output_padding())[0], r.in_scale, r.out_scale));
    } else {
      throw UsageError(name + " is not a Linear or convolution layer");
    }
  }
  return s;
}

Int8Sequential Int8Sequential::load(const ModelFile& f, const std::string& prefix, torch::nn::Sequential& seq,
                                    bool keep_last_float) {
  std::map<size_t, ActivationRange> ranges;
  for (size_t i : int8_layers(seq, keep_last_float)) {
    auto in = f.metadata.find(key(prefix, i, "in_scale")), out = f.metadata.find(key(prefix, i, "out_scale"));
    if (in == f.metadata.end() || out == f.metadata.end()) return Int8Sequential();
    const double is = std::strtod(in->second.c_str(), nullptr), os = std::strtod(out->second.c_str(), nullptr);
    if (!(is > 0 && is < 1e6 && os > 0 && os < 1e6))
      throw FormatError("model file: bad int8 activation scale for " + key(prefix, i, ""));
    ranges[i] = {is, os};
  }
  return from_ranges(seq, ranges);
}

std::map<size_t, double> Int8Sequential::layer_sqnr_db(torch::nn::Sequential& seq, const torch::Tensor& inputs) const {
  torch::NoGradGuard ng;
  std::map<size_t, double> out;
  auto x = inputs;
  size_t i = 0;
  for (auto& m : *seq) {
    auto y = m.forward(x);
    auto it = layers_.find(i);
    if (it != layers_.end()) {
      const double signal = y.pow(2).mean().item<double>();
      const double noise = (it->second.forward(x) - y).pow(2).mean().item<double>();
      out[i] = 10.0 * std::log10(signal / std::max(noise, 1e-30));
    }
    x = y;
    ++i;
  }
  return out;
}

torch::Tensor Int8Sequential::forward(torch::nn::Sequential& seq, const torch::Tensor& x_in) const {
  torch::NoGradGuard ng;
  auto x = x_in;
  size_t i = 0;
  for (auto& m : *seq) {
    auto it = layers_.find(i++);
    x = it != layers_.end() ? it->second.forward(x) : m.forward(x);
  }
  return x;
}

}  // namespace nicodec::quant
