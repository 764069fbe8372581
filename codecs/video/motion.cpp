#include "codecs/video/motion.h"

#include <algorithm>
#include <cstdlib>
#include <opencv2/core.hpp>
#include <opencv2/video/tracking.hpp>

#include "core/error.h"
#include "entropy/binarization.h"

namespace nicodec::codecs::video {

namespace {

int floor_div(int v, int d) { return v >= 0 ? v / d : -((-v + d - 1) / d); }

int median3(int a, int b, int c) { return std::max(std::min(a, b), std::min(std::max(a, b), c)); }

// H.264's motion vector predictor: the median of left, top and top-right (top-left when top-right is outside);
// only the left one in the first row; zero for the first block.
void predict(const MotionField& f, int bx, int by, int out[2]) {
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

// Bilinear sample at (px, py) in 1/16 pixel, edges extended; `stride` bytes between horizontal neighbours.
inline int sample16(const uint8_t* plane, int w, int h, int stride, int px, int py) {
  const int x0 = floor_div(px, 16), y0 = floor_div(py, 16);
  const int fx = px - x0 * 16, fy = py - y0 * 16;
  const int xa = std::clamp(x0, 0, w - 1), xb = std::clamp(x0 + 1, 0, w - 1);
  const int ya = std::clamp(y0, 0, h - 1), yb = std::clamp(y0 + 1, 0, h - 1);
  const size_t row = static_cast<size_t>(w) * stride;
  const int a = plane[ya * row + static_cast<size_t>(xa) * stride], b = plane[ya * row + static_cast<size_t>(xb) * stride];
  const int c = plane[yb * row + static_cast<size_t>(xa) * stride], d = plane[yb * row + static_cast<size_t>(xb) * stride];
  return ((16 - fx) * (16 - fy) * a + fx * (16 - fy) * b + (16 - fx) * fy * c + fx * fy * d + 128) >> 8;
}

std::vector<uint8_t> luma(const Image& img) {  // BT.709 weights, 8-bit (estimation only)
  std::vector<uint8_t> y(static_cast<size_t>(img.width) * img.height);
  for (size_t i = 0; i < y.size(); ++i) {
    const uint8_t* p = &img.rgb[i * 3];
    y[i] = static_cast<uint8_t>((54 * p[0] + 183 * p[1] + 19 * p[2] + 128) >> 8);
  }
  return y;
}

// Sum of absolute differences of one block moved rigidly by (dx, dy) quarter pixels.
int block_sad(const std::vector<uint8_t>& cur, const std::vector<uint8_t>& ref, int w, int h, int block, int bx, int by,
              int dx, int dy) {
  int sad = 0;
  const int x1 = std::min(w, (bx + 1) * block), y1 = std::min(h, (by + 1) * block);
  for (int y = by * block; y < y1; ++y)
    for (int x = bx * block; x < x1; ++x)
      sad += std::abs(cur[static_cast<size_t>(y) * w + x] - sample16(ref.data(), w, h, 1, x * 16 + dx * 4, y * 16 + dy * 4));
  return sad;
}

// Rough CABAC cost of a vector difference component in bins (the rate term of the block decision).
int bins(int v) {
  int n = 1, m = std::abs(v);
  while (m) ++n, m >>= 1;
  return v ? 2 * n : 1;
}

}  // namespace

MotionField MotionField::zero(int width, int height, int block) {
  if (block != kBlockSizes[0] && block != kBlockSizes[1]) throw UsageError("motion block size must be 16 or 32");
  MotionField f;
  f.block = block;
  f.blocks_x = (width + block - 1) / block;
  f.blocks_y = (height + block - 1) / block;
  f.mv.assign(static_cast<size_t>(f.blocks_x) * f.blocks_y * 2, 0);
  return f;
}

Flow optical_flow(const Image& cur, const Image& ref) {
  if (cur.width != ref.width || cur.height != ref.height) throw UsageError("optical_flow: frame sizes differ");
  Flow out;
  out.width = cur.width, out.height = cur.height;
  if (cur.width < 32 || cur.height < 32) return out;
  const auto yc = luma(cur), yr = luma(ref);
  cv::Mat a(cur.height, cur.width, CV_8UC1, const_cast<uint8_t*>(yc.data()));
  cv::Mat b(cur.height, cur.width, CV_8UC1, const_cast<uint8_t*>(yr.data()));
  cv::Mat flow;
  cv::DISOpticalFlow::create(cv::DISOpticalFlow::PRESET_MEDIUM)->calc(a, b, flow);
  out.xy.resize(static_cast<size_t>(cur.width) * cur.height * 2);
  for (int y = 0; y < cur.height; ++y)
    for (int x = 0; x < cur.width; ++x) {
      const auto v = flow.at<cv::Vec2f>(y, x);
      out.xy[(static_cast<size_t>(y) * cur.width + x) * 2] = v[0];
      out.xy[(static_cast<size_t>(y) * cur.width + x) * 2 + 1] = v[1];
    }
  return out;
}

MotionField estimate_motion(const Image& cur, const Image& ref, const Flow& flow, int block, int lambda) {
  if (cur.width != ref.width || cur.height != ref.height || flow.width != cur.width || flow.height != cur.height)
    throw UsageError("estimate_motion: frame sizes differ");
  const int w = cur.width, h = cur.height;
  MotionField f = MotionField::zero(w, h, block);
  const auto yc = luma(cur), yr = luma(ref);
  for (int by = 0; by < f.blocks_y; ++by)
    for (int bx = 0; bx < f.blocks_x; ++bx) {
      int flow_mv[2] = {0, 0};
      if (!flow.xy.empty()) {
        double sx = 0, sy = 0;
        int n = 0;
        for (int y = by * block; y < std::min(h, (by + 1) * block); ++y)
          for (int x = bx * block; x < std::min(w, (bx + 1) * block); ++x) {
            sx += flow.xy[(static_cast<size_t>(y) * w + x) * 2];
            sy += flow.xy[(static_cast<size_t>(y) * w + x) * 2 + 1];
            ++n;
          }
        flow_mv[0] = std::clamp(static_cast<int>(std::lround(4 * sx / n)), -kMaxMotion, kMaxMotion);
        flow_mv[1] = std::clamp(static_cast<int>(std::lround(4 * sy / n)), -kMaxMotion, kMaxMotion);
      }
      int pred[2];
      predict(f, bx, by, pred);
      // Candidates: the flow's vector and its quarter-pixel neighbours, the predictor, zero.
      int best[2] = {pred[0], pred[1]}, best_cost = -1;
      auto consider = [&](int dx, int dy) {
        dx = std::clamp(dx, -kMaxMotion, kMaxMotion), dy = std::clamp(dy, -kMaxMotion, kMaxMotion);
        const int cost = block_sad(yc, yr, w, h, block, bx, by, dx, dy) + lambda * (bins(dx - pred[0]) + bins(dy - pred[1]));
        if (best_cost < 0 || cost < best_cost) best_cost = cost, best[0] = dx, best[1] = dy;
      };
      consider(pred[0], pred[1]);
      consider(0, 0);
      for (int oy = -1; oy <= 1; ++oy)
        for (int ox = -1; ox <= 1; ++ox) consider(flow_mv[0] + ox, flow_mv[1] + oy);
      f.at(bx, by)[0] = static_cast<int16_t>(best[0]);
      f.at(bx, by)[1] = static_cast<int16_t>(best[1]);
    }
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

std::vector<uint8_t> encode_motion(const MotionField& field) {
  entropy::CabacEncoder enc;
  enc.encode_bypass(field.block == kBlockSizes[1] ? 1 : 0, 1);
  entropy::SignedIntContexts ctx[2];
  for (int by = 0; by < field.blocks_y; ++by)
    for (int bx = 0; bx < field.blocks_x; ++bx) {
      int pred[2];
      predict(field, bx, by, pred);
      for (int c = 0; c < 2; ++c) entropy::encode_signed(enc, field.at(bx, by)[c] - pred[c], ctx[c]);
    }
  return enc.finish();
}

MotionField decode_motion(const uint8_t* data, size_t size, int width, int height) {
  entropy::CabacDecoder dec(data, size);
  MotionField f = MotionField::zero(width, height, kBlockSizes[dec.decode_bypass(1)]);
  entropy::SignedIntContexts ctx[2];
  for (int by = 0; by < f.blocks_y; ++by)
    for (int bx = 0; bx < f.blocks_x; ++bx) {
      int pred[2];
      predict(f, bx, by, pred);
      for (int c = 0; c < 2; ++c) {
        const int64_t v = static_cast<int64_t>(entropy::decode_signed(dec, ctx[c])) + pred[c];
        if (v < -kMaxMotion || v > kMaxMotion) throw FormatError("a motion vector is out of range (corrupt stream)");
        f.at(bx, by)[c] = static_cast<int16_t>(v);
      }
    }
  dec.finish();
  return f;
}

}  // namespace nicodec::codecs::video
