#include "quant/layers/integer_conv.h"

#include <cmath>

#include "core/error.h"

namespace nicodec::quant {

void fixed_point_multiplier(double m, int64_t* multiplier, int64_t* shift) {
  if (!(m > 0) || !std::isfinite(m)) throw UsageError("fixed_point_multiplier: needs a positive finite multiplier");
  int e;
  const double f = std::frexp(m, &e);  // m = f 2^e, f in [0.5, 1)
  int64_t M = std::llround(f * 65536.0);
  int64_t s = 16 - e;
  if (M == 65536) {
    M = 32768;
    --s;
  }
  if (s < 1 || s > 62) throw UsageError("fixed_point_multiplier: multiplier out of the representable range");
  *multiplier = M;
  *shift = s;
}

IntegerConv2d::IntegerConv2d(IntegerConvParams p) : p_(std::move(p)) {
  const int64_t out = p_.transposed ? p_.weight.size(1) : p_.weight.size(0);
  if (p_.weight.dim() != 4 || p_.bias.numel() != out || p_.multiplier.numel() != out || p_.shift.numel() != out)
    throw UsageError("IntegerConv2d: weight/bias/multiplier/shift shapes disagree");
  const int64_t wmax = p_.weight.abs().max().item<int64_t>();
  if (wmax > 32767) throw UsageError("IntegerConv2d: weights must fit int16");
  const int64_t terms = p_.weight.size(p_.transposed ? 0 : 1) * p_.weight.size(2) * p_.weight.size(3);
  const double bound = static_cast<double>(wmax) * 32768.0 * static_cast<double>(terms) +
                       static_cast<double>(p_.bias.abs().max().item<int64_t>());
  if (bound >= 70368744177664.0)  // 2^46
    throw UsageError("IntegerConv2d: weights x activations x products per output could exceed 2^46, breaking exactness");
}

IntegerConv2d IntegerConv2d::from_float(const torch::Tensor& weight, const torch::Tensor& bias, double in_scale, double out_scale,
                                        bool transposed, int64_t stride, int64_t padding, int64_t output_padding, bool relu,
                                        int weight_bits) {
  if (weight_bits != 8 && weight_bits != 16) throw UsageError("IntegerConv2d: weight_bits must be 8 or 16");
  const double qmax = weight_bits == 8 ? 127.0 : 32767.0;
  torch::NoGradGuard ng;
  auto w = weight.detach().to(torch::kDouble).cpu();
  const int64_t out = transposed ? w.size(1) : w.size(0);
  auto per_out = transposed ? w.transpose(0, 1) : w;  // [out, in, k, k]
  auto amax = per_out.abs().reshape({out, -1}).amax(1).clamp_min(1e-12);
  auto w_scale = amax / qmax;  // [out]
  auto wq = torch::round(per_out / w_scale.view({out, 1, 1, 1})).clamp(-qmax, qmax);
  IntegerConvParams p;
  p.transposed = transposed;
  p.stride = stride;
  p.padding = padding;
  p.output_padding = output_padding;
  p.weight = (transposed ? wq.transpose(0, 1) : wq).contiguous().to(torch::kLong);
  auto acc_scale = w_scale * in_scale;  // one accumulator unit in real terms, per output channel
  auto b = bias.defined() ? bias.detach().to(torch::kDouble).cpu() : torch::zeros({out}, torch::kDouble);
  p.bias = torch::round(b / acc_scale).to(torch::kLong);
  p.multiplier = torch::empty({out}, torch::kLong);
  p.shift = torch::empty({out}, torch::kLong);
  for (int64_t o = 0; o < out; ++o) {
    int64_t M, s;
    fixed_point_multiplier(acc_scale[o].item<double>() / out_scale, &M, &s);
    p.multiplier[o] = M;
    p.shift[o] = s;
  }
  if (relu) p.out_min = 0;
  return IntegerConv2d(std::move(p));
}

torch::Tensor IntegerConv2d::forward(const torch::Tensor& x) const {
  torch::NoGradGuard ng;
  namespace F = torch::nn::functional;
  if (x.dim() != 4 || x.size(1) != p_.weight.size(p_.transposed ? 0 : 1)) throw UsageError("IntegerConv2d: input channels do not match");
  const auto dev = x.device();
  auto xd = x.to(torch::kDouble);
  auto wd = p_.weight.to(dev, torch::kDouble);
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3), K = p_.weight.size(2);
  // im2col / col2im with a float64 matrix product, not a library convolution: the product is a dgemm on
  // every device (exact here), whereas a convolution library may pick FFT or Winograd algorithms.
  torch::Tensor acc;
  if (p_.transposed) {
    const int64_t O = p_.weight.size(1);
    const int64_t Ho = (H - 1) * p_.stride - 2 * p_.padding + K + p_.output_padding;
    const int64_t Wo = (W - 1) * p_.stride - 2 * p_.padding + K + p_.output_padding;
    auto cols = torch::matmul(wd.view({C, O * K * K}).t(), xd.view({N, C, H * W}));  // [N, O*K*K, H*W]
    acc = F::fold(cols, F::FoldFuncOptions({Ho, Wo}, {K, K}).padding(p_.padding).stride(p_.stride));
  } else {
    const int64_t O = p_.weight.size(0);
    const int64_t Ho = (H + 2 * p_.padding - K) / p_.stride + 1, Wo = (W + 2 * p_.padding - K) / p_.stride + 1;
    auto cols = F::unfold(xd, F::UnfoldFuncOptions({K, K}).padding(p_.padding).stride(p_.stride));  // [N, C*K*K, L]
    acc = torch::matmul(wd.view({O, C * K * K}), cols).view({N, O, Ho, Wo});
  }
  return requantize(acc);
}

torch::Tensor IntegerConv2d::requantize(const torch::Tensor& acc) const {
  const auto dev = acc.device();
  const int64_t O = p_.bias.size(0);
  std::vector<int64_t> shape(static_cast<size_t>(acc.dim()), 1);
  shape[1] = O;  // channels on dimension 1: [N, O, ...]
  auto a = acc.to(torch::kLong) + p_.bias.to(dev).view(shape);
  auto M = p_.multiplier.to(dev).view(shape);
  auto s = p_.shift.to(dev).view(shape);
  // Round half up in fixed point: floor((a M + 2^(s-1)) / 2^s); the arithmetic shift floors negatives too.
  auto y = torch::bitwise_right_shift(a * M + torch::bitwise_left_shift(torch::ones_like(s), s - 1), s);
  return y.clamp(p_.out_min, p_.out_max).to(torch::kInt);
}

torch::Tensor integer_conv_reference(const IntegerConvParams& p, const torch::Tensor& x_in) {
  auto x = x_in.to(torch::kLong).cpu().contiguous();
  auto w = p.weight.cpu().contiguous();
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3), K = w.size(2);
  const int64_t O = p.transposed ? w.size(1) : w.size(0);
  int64_t Ho, Wo;
  if (p.transposed) {
    Ho = (H - 1) * p.stride - 2 * p.padding + K + p.output_padding;
    Wo = (W - 1) * p.stride - 2 * p.padding + K + p.output_padding;
  } else {
    Ho = (H + 2 * p.padding - K) / p.stride + 1;
    Wo = (W + 2 * p.padding - K) / p.stride + 1;
  }
  std::vector<int64_t> acc(static_cast<size_t>(N * O * Ho * Wo), 0);
  const int64_t* xp = x.data_ptr<int64_t>();
  const int64_t* wp = w.data_ptr<int64_t>();
  auto at = [&](int64_t n, int64_t o, int64_t i, int64_t j) -> int64_t& { return acc[static_cast<size_t>(((n * O + o) * Ho + i) * Wo + j)]; };
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t v = 0; v < W; ++v)
          for (int64_t o = 0; o < O; ++o)
            for (int64_t ky = 0; ky < K; ++ky)
              for (int64_t kx = 0; kx < K; ++kx) {
                const int64_t xv = xp[((n * C + c) * H + h) * W + v];
                if (p.transposed) {  // input pixel (h, v) scatters to (h s - pad + ky, v s - pad + kx)
                  const int64_t i = h * p.stride - p.padding + ky, j = v * p.stride - p.padding + kx;
                  if (i >= 0 && i < Ho && j >= 0 && j < Wo) at(n, o, i, j) += xv * wp[((c * O + o) * K + ky) * K + kx];
                } else {  // output (i, j) gathers input (i s - pad + ky, j s - pad + kx)
                  const int64_t ti = h + p.padding - ky, tj = v + p.padding - kx;
                  if (ti % p.stride || tj % p.stride) continue;
                  const int64_t i = ti / p.stride, j = tj / p.stride;
                  if (ti >= 0 && tj >= 0 && i < Ho && j < Wo) at(n, o, i, j) += xv * wp[((o * C + c) * K + ky) * K + kx];
                }
              }
  auto out = torch::empty({N, O, Ho, Wo}, torch::kInt);
  int32_t* op = out.data_ptr<int32_t>();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o) {
      const int64_t b = p.bias[o].item<int64_t>(), M = p.multiplier[o].item<int64_t>(), s = p.shift[o].item<int64_t>();
      for (int64_t k = 0; k < Ho * Wo; ++k) {
        const int64_t a = at(n, o, k / Wo, k % Wo) + b;
        int64_t y = (a * M + (int64_t{1} << (s - 1))) >> s;
        y = std::min(p.out_max, std::max(p.out_min, y));
        op[(n * O + o) * Ho * Wo + k] = static_cast<int32_t>(y);
      }
    }
  return out;
}

}  // namespace nicodec::quant
