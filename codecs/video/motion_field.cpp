#include "codecs/video/motion_field.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "entropy/binarization.h"

namespace nicodec::codecs::video {

namespace {

int floor_div(int v, int d) { return v >= 0 ? v / d : -((-v + d - 1) / d); }

int median3(int a, int b, int c) { return std::max(std::min(a, b), std::min(std::max(a, b), c)); }

}  // namespace

// H.264's motion vector predictor: the median of left, top and top-right (top-left when top-right is outside);
// only the left one in the first row; zero for the first block.
void predict_motion(const MotionField& f, int bx, int by, int out[2]) {
  for (int c = 0; c < 2; ++c) {
    if (by == 0) {
      out[c] = bx > 0 ? f.at(bx - 1, by)[c] : 0;
      continue;
    }
    const int left = bx > 0 ? f.at(bx - 1, by)[c] : 0;
    const int top = f.at(bx, by - 1)[c];
    const int diag = bx + 1 < f.blocks_x ? f.at(bx + 1, by - 1)[c] : (bx > 0 ? f.at(bx - 1, by - 1)[c] : 0);
    out[c] = median3(left, top, diag);
  }
}

int sample16(const uint8_t* plane, int w, int h, int stride, int px, int py) {
  const int x0 = floor_div(px, 16), y0 = floor_div(py, 16);
  const int fx = px - x0 * 16, fy = py - y0 * 16;
  const int xa = std::clamp(x0, 0, w - 1), xb = std::clamp(x0 + 1, 0, w - 1);
  const int ya = std::clamp(y0, 0, h - 1), yb = std::clamp(y0 + 1, 0, h - 1);
  const size_t row = static_cast<size_t>(w) * stride;
  const int a = plane[ya * row + static_cast<size_t>(xa) * stride], b = plane[ya * row + static_cast<size_t>(xb) * stride];
  const int c = plane[yb * row + static_cast<size_t>(xa) * stride], d = plane[yb * row + static_cast<size_t>(xb) * stride];
  return ((16 - fx) * (16 - fy) * a + fx * (16 - fy) * b + (16 - fx) * fy * c + fx * fy * d + 128) >> 8;
}

int motion_bins(int v) {  // zero flag; sign, 2 e + 1 exponent bins and e mantissa bins for |v| in [2^e, 2^(e+1))
  int e = -1, m = std::abs(v);
  while (m) ++e, m >>= 1;
  return v ? 2 * e + 3 : 1;
}


MotionField MotionField::zero(int width, int height, int block) {
  if (block != kBlockSizes[0] && block != kBlockSizes[1]) throw UsageError("motion block size must be 16 or 32");
  MotionField f;
  f.block = block;
  f.blocks_x = (width + block - 1) / block;
  f.blocks_y = (height + block - 1) / block;
  f.mv.assign(static_cast<size_t>(f.blocks_x) * f.blocks_y * 2, 0);
  return f;
}

Image compensate(const Image& ref, const MotionField& field) {
  const int w = ref.width, h = ref.height;
  const int block = field.block;
  if (field.blocks_x != (w + block - 1) / block || field.blocks_y != (h + block - 1) / block)
    throw UsageError("compensate: the motion field does not fit the frame");
  Image out;
  out.width = w, out.height = h;
  out.rgb.resize(ref.rgb.size());
  // Block centres sit at (b + 1/2) * block - 1/2; positions in units of 1/(2 block) of a block.
  const int kS = 2 * block;
  auto split = [&](int p, int n, int* b0, int* b1, int* wt) {
    const int g = 2 * p + 1 - block;
    const int b = floor_div(g, kS);
    *wt = g - b * kS;
    *b0 = std::clamp(b, 0, n - 1), *b1 = std::clamp(b + 1, 0, n - 1);
  };
  std::vector<int> bx0(static_cast<size_t>(w)), bx1(static_cast<size_t>(w)), wx(static_cast<size_t>(w));
  for (int x = 0; x < w; ++x) split(x, field.blocks_x, &bx0[x], &bx1[x], &wx[x]);
  for (int y = 0; y < h; ++y) {
    int by0, by1, wy;
    split(y, field.blocks_y, &by0, &by1, &wy);
    for (int x = 0; x < w; ++x) {
      int mv16[2];
      for (int c = 0; c < 2; ++c) {
        const int top = (kS - wx[x]) * field.at(bx0[x], by0)[c] + wx[x] * field.at(bx1[x], by0)[c];
        const int bottom = (kS - wx[x]) * field.at(bx0[x], by1)[c] + wx[x] * field.at(bx1[x], by1)[c];
        // quarter pixels * kS^2 -> 1/16 pixel: * 4 / kS^2, rounded.
        mv16[c] = floor_div(((kS - wy) * top + wy * bottom) * 4 + kS * kS / 2, kS * kS);
      }
      uint8_t* o = out.pixel(x, y);
      for (int c = 0; c < 3; ++c) o[c] = static_cast<uint8_t>(sample16(ref.rgb.data() + c, w, h, 3, x * 16 + mv16[0], y * 16 + mv16[1]));
    }
  }
  return out;
}

namespace {

// The contexts of one field's vector differences, for either coding; the decoder mirrors the encoder's calls.
class MvdContexts {
 public:
  MvdContexts(int coding, int blocks_x, int blocks_y)
      : coding_(coding), blocks_x_(blocks_x), nonzero_(static_cast<size_t>(blocks_x) * blocks_y * 2, 0) {}
  void encode(entropy::CabacEncoder& enc, int bx, int by, int c, int32_t d) {
    if (coding_ == 1) return entropy::encode_signed(enc, d, plain_[c]);
    entropy::encode_signed_gamma(enc, d, zero_context(bx, by, c), gamma_[c]);
    note(bx, by, c, d);
  }
  int32_t decode(entropy::CabacDecoder& dec, int bx, int by, int c) {
    if (coding_ == 1) return entropy::decode_signed(dec, plain_[c]);
    const int32_t d = entropy::decode_signed_gamma(dec, zero_context(bx, by, c), gamma_[c]);
    note(bx, by, c, d);
    return d;
  }

 private:
  size_t index(int bx, int by, int c) const { return (static_cast<size_t>(by) * blocks_x_ + bx) * 2 + c; }
  void note(int bx, int by, int c, int32_t d) { nonzero_[index(bx, by, c)] = d != 0; }
  entropy::BinContext& zero_context(int bx, int by, int c) {
    const int around = (bx > 0 ? nonzero_[index(bx - 1, by, c)] : 0) + (by > 0 ? nonzero_[index(bx, by - 1, c)] : 0);
    return c == 0 ? zero_[0][around] : zero_[1][around * 2 + nonzero_[index(bx, by, 0)]];
  }
  int coding_, blocks_x_;
  std::vector<uint8_t> nonzero_;  // per block and component
  entropy::SignedIntContexts plain_[2];
  entropy::BinContext zero_[2][6];
  entropy::SignedGammaContexts gamma_[2];
};

std::string unknown_coding(int coding) { return "unknown motion coding " + std::to_string(coding); }

}  // namespace

std::vector<uint8_t> encode_motion(const MotionField& field, int coding) {
  if (!valid_motion_coding(coding)) throw UsageError(unknown_coding(coding));
  entropy::CabacEncoder enc;
  enc.encode_bypass(field.block == kBlockSizes[1] ? 1 : 0, 1);
  MvdContexts ctx(coding, field.blocks_x, field.blocks_y);
  for (int by = 0; by < field.blocks_y; ++by)
    for (int bx = 0; bx < field.blocks_x; ++bx) {
      int pred[2];
      predict_motion(field, bx, by, pred);
      for (int c = 0; c < 2; ++c) ctx.encode(enc, bx, by, c, field.at(bx, by)[c] - pred[c]);
    }
  return enc.finish();
}

MotionField decode_motion(const uint8_t* data, size_t size, int width, int height, int coding) {
  if (!valid_motion_coding(coding)) throw FormatError(unknown_coding(coding) + " (a newer vidcodec wrote this file?)");
  entropy::CabacDecoder dec(data, size);
  MotionField f = MotionField::zero(width, height, kBlockSizes[dec.decode_bypass(1)]);
  MvdContexts ctx(coding, f.blocks_x, f.blocks_y);
  for (int by = 0; by < f.blocks_y; ++by)
    for (int bx = 0; bx < f.blocks_x; ++bx) {
      int pred[2];
      predict_motion(f, bx, by, pred);
      for (int c = 0; c < 2; ++c) {
        const int64_t v = static_cast<int64_t>(ctx.decode(dec, bx, by, c)) + pred[c];
        if (v < -kMaxMotion || v > kMaxMotion) throw FormatError("a motion vector is out of range (corrupt stream)");
        f.at(bx, by)[c] = static_cast<int16_t>(v);
      }
    }
  dec.finish();
  return f;
}

}  // namespace nicodec::codecs::video
