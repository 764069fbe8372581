#include "quant/layers/integer_conv_io.h"

#include <cstdio>

#include "core/error.h"

namespace nicodec::quant {

namespace {

constexpr int64_t kActMax = 32767;  // IntegerConv2d's activation bound (out_min is 0 or -kActMax)

// Stores an integer tensor in the narrowest of I8 / I16 / I32 that holds it.
void put_int(ModelFile& f, const std::string& name, const torch::Tensor& t) {
  const int64_t lo = t.min().item<int64_t>(), hi = t.max().item<int64_t>();
  TensorData d;
  d.shape = t.sizes().vec();
  torch::Tensor c;
  size_t width;
  if (lo >= INT8_MIN && hi <= INT8_MAX) d.dtype = "I8", c = t.to(torch::kInt8), width = 1;
  else if (lo >= INT16_MIN && hi <= INT16_MAX) d.dtype = "I16", c = t.to(torch::kInt16), width = 2;
  else if (lo >= INT32_MIN && hi <= INT32_MAX) d.dtype = "I32", c = t.to(torch::kInt), width = 4;
  else throw Error("integer layer: " + name + " does not fit int32");
  c = c.contiguous();
  const auto* p = static_cast<const uint8_t*>(c.data_ptr());
  d.bytes.assign(p, p + static_cast<size_t>(c.numel()) * width);
  f.add_raw(name, std::move(d));
}

torch::Tensor get_int(const ModelFile& f, const std::string& name, const std::vector<int64_t>& shape) {
  const auto& d = f.raw(name);
  if (d.shape != shape) throw FormatError("model file: " + name + " has the wrong shape");
  if (d.dtype == "I8")
    return torch::from_blob(const_cast<uint8_t*>(d.bytes.data()), shape, torch::kInt8).to(torch::kLong);
  if (d.dtype == "I16")
    return torch::from_blob(const_cast<uint8_t*>(d.bytes.data()), shape, torch::kInt16).to(torch::kLong);
  if (d.dtype == "I32")
    return torch::from_blob(const_cast<uint8_t*>(d.bytes.data()), shape, torch::kInt).to(torch::kLong);
  throw FormatError("model file: " + name + " must be I8, I16 or I32, not " + d.dtype);
}

}  // namespace

void save_integer_conv(ModelFile& f, const std::string& prefix, const IntegerConv2d& l) {
  const auto& p = l.params();
  put_int(f, prefix + ".weight", p.weight);
  put_int(f, prefix + ".bias", p.bias);
  put_int(f, prefix + ".multiplier", p.multiplier);
  put_int(f, prefix + ".shift", p.shift);
  f.metadata[prefix + ".geometry"] = std::to_string(p.transposed) + " " + std::to_string(p.stride) + " " +
                                     std::to_string(p.padding) + " " + std::to_string(p.output_padding) + " " +
                                     std::to_string(p.out_min);
}

IntegerConv2d load_integer_conv(const ModelFile& f, const std::string& prefix, std::vector<int64_t> wshape) {
  auto it = f.metadata.find(prefix + ".geometry");
  if (it == f.metadata.end()) throw FormatError("model file: no " + prefix + ".geometry");
  IntegerConvParams p;
  int transposed = 0;
  if (std::sscanf(it->second.c_str(), "%d %ld %ld %ld %ld", &transposed, &p.stride, &p.padding, &p.output_padding,
                  &p.out_min) != 5 || p.stride < 1 || p.stride > 4 || p.padding < 0 || p.padding > 8 ||
      p.output_padding < 0 || p.output_padding >= p.stride || (p.out_min != 0 && p.out_min != -kActMax))
    throw FormatError("model file: bad " + prefix + ".geometry '" + it->second + "'");
  p.transposed = transposed != 0;
  const int64_t out = p.transposed ? wshape[1] : wshape[0];
  p.weight = get_int(f, prefix + ".weight", wshape);
  p.bias = get_int(f, prefix + ".bias", {out});
  p.multiplier = get_int(f, prefix + ".multiplier", {out});
  p.shift = get_int(f, prefix + ".shift", {out});
  if (p.shift.min().item<int64_t>() < 1 || p.shift.max().item<int64_t>() > 62 ||
      p.multiplier.min().item<int64_t>() < 0 || p.multiplier.max().item<int64_t>() >= 65536)
    throw FormatError("model file: " + prefix + " has multipliers or shifts out of range");
  return IntegerConv2d(std::move(p));
}

}  // namespace nicodec::quant
