#include "codecs/image/synthesis.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/error.h"

namespace nicodec::codecs::image {

namespace {

// Convolutions of g_s that run int8: every Conv2d but the last.
std::vector<size_t> int8_layers(torch::nn::Sequential& g_s) {
  std::vector<size_t> convs;
  for (size_t i = 0; i < g_s->size(); ++i)
    if (g_s->ptr(i)->as<torch::nn::Conv2d>()) convs.push_back(i);
  if (!convs.empty()) convs.pop_back();
  return convs;
}

// A robust range: the 99.995th percentile of |x| on a subsample (a lone outlier would coarsen every step).
double robust_amax(const torch::Tensor& x) {
  auto a = x.detach().abs().flatten();
  if (a.numel() > (1 << 20)) a = a.index_select(0, torch::randperm(a.numel(), torch::kLong).narrow(0, 0, 1 << 20));
  auto sorted = std::get<0>(a.sort());
  const int64_t k = std::min<int64_t>(a.numel() - 1, static_cast<int64_t>(0.99995 * static_cast<double>(a.numel())));
  return std::max(1e-6, sorted[k].item<double>());
}

std::string key(size_t i, const char* what) { return "g_s.int8." + std::to_string(i) + "." + what; }

}  // namespace

std::map<size_t, ActivationRange> Int8Synthesis::calibrate(torch::nn::Sequential& g_s, const torch::Tensor& latents) {
  torch::NoGradGuard ng;
  std::map<size_t, ActivationRange> ranges;
  const auto layers = int8_layers(g_s);
  auto x = latents;
  for (size_t i = 0; i < g_s->size(); ++i) {
    torch::Tensor y;
    if (auto* c = g_s->ptr(i)->as<torch::nn::Conv2d>()) y = c->forward(x);
    else if (auto* p = g_s->ptr(i)->as<torch::nn::PixelShuffle>()) y = p->forward(x);
    else if (auto* g = g_s->ptr(i)->as<GdnImpl>()) y = g->forward(x);
    else throw UsageError("g_s layer " + std::to_string(i) + " cannot be calibrated");
    if (std::find(layers.begin(), layers.end(), i) != layers.end())
      ranges[i] = {robust_amax(x) / 127.0, robust_amax(y) / 127.0};
    x = y;
  }
  return ranges;
}

void Int8Synthesis::save(quant::ModelFile& f, const std::map<size_t, ActivationRange>& ranges) {
  char buf[32];
  for (const auto& [i, r] : ranges) {
    std::snprintf(buf, sizeof buf, "%.9g", r.in_scale);
    f.metadata[key(i, "in_scale")] = buf;
    std::snprintf(buf, sizeof buf, "%.9g", r.out_scale);
    f.metadata[key(i, "out_scale")] = buf;
  }
}

Int8Synthesis Int8Synthesis::load(const quant::ModelFile& f, torch::nn::Sequential& g_s) {
  Int8Synthesis s;
  for (size_t i : int8_layers(g_s)) {
    auto in = f.metadata.find(key(i, "in_scale")), out = f.metadata.find(key(i, "out_scale"));
    if (in == f.metadata.end() || out == f.metadata.end()) return Int8Synthesis();
    const double is = std::strtod(in->second.c_str(), nullptr), os = std::strtod(out->second.c_str(), nullptr);
    if (!(is > 0 && is < 1e6 && os > 0 && os < 1e6)) throw FormatError("model file: bad int8 activation scale for g_s." + std::to_string(i));
    auto conv = g_s[i]->as<torch::nn::Conv2d>();
    s.layers_.emplace(i, quant::Int8Conv2d(conv->weight, conv->bias, (*conv->options.stride())[0],
                                           conv->weight.size(2) / 2, is, os));
  }
  return s;
}

torch::Tensor Int8Synthesis::forward(torch::nn::Sequential& g_s, const torch::Tensor& y) const {
  torch::NoGradGuard ng;
  auto x = y;
  for (size_t i = 0; i < g_s->size(); ++i) {
    auto it = layers_.find(i);
    if (it != layers_.end()) x = it->second.forward(x);
    else if (auto* c = g_s->ptr(i)->as<torch::nn::Conv2d>()) x = c->forward(x);
    else if (auto* p = g_s->ptr(i)->as<torch::nn::PixelShuffle>()) x = p->forward(x);
    else if (auto* g = g_s->ptr(i)->as<GdnImpl>()) x = g->forward(x);
    else throw UsageError("g_s layer " + std::to_string(i) + " has no int8 runner");
  }
  return x.clamp(0.0, 1.0);
}

}  // namespace nicodec::codecs::image
