#include "codecs/video/motion_search.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <opencv2/core.hpp>
#include <opencv2/video/tracking.hpp>

#include "core/error.h"

namespace nicodec::codecs::video {

namespace {

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

}  // namespace

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
      predict_motion(f, bx, by, pred);
      // Candidates: the flow's vector and its quarter-pixel neighbours, the predictor, zero.
      int best[2] = {pred[0], pred[1]}, best_cost = -1;
      auto consider = [&](int dx, int dy) {
        dx = std::clamp(dx, -kMaxMotion, kMaxMotion), dy = std::clamp(dy, -kMaxMotion, kMaxMotion);
        const int cost = block_sad(yc, yr, w, h, block, bx, by, dx, dy) + lambda * (motion_bins(dx - pred[0]) + motion_bins(dy - pred[1]));
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

}  // namespace nicodec::codecs::video
