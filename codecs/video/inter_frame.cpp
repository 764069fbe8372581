#include "codecs/video/inter_frame.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace nicodec::codecs::video {

Image residual_picture(const Image& cur, const Image& pred) {
  Image r = cur;
  for (size_t i = 0; i < r.rgb.size(); ++i) r.rgb[i] = static_cast<uint8_t>(std::clamp(128 + cur.rgb[i] - pred.rgb[i], 0, 255));
  return r;
}

void add_residual(Image& pred, const Image& residual) {
  for (size_t i = 0; i < pred.rgb.size(); ++i)
    pred.rgb[i] = static_cast<uint8_t>(std::clamp(pred.rgb[i] + residual.rgb[i] - 128, 0, 255));
}

double sse(const Image& a, const Image& b) {
  double s = 0;
  for (size_t i = 0; i < a.rgb.size(); ++i) {
    const int d = a.rgb[i] - b.rgb[i];
    s += d * d;
  }
  return s;
}

int sad_lambda(double lambda) {
  return std::clamp(static_cast<int>(std::lround(std::sqrt(1.0 / lambda))), 1, kMaxSadLambda);
}

std::vector<uint8_t> choose_motion(const Image& cur, const Image& ref, const Flow& flow, double lambda, MotionField* field,
                                   int coding) {
  const int lambda_sad = sad_lambda(lambda);
  std::vector<uint8_t> best;
  double best_cost = 0;
  for (int block : kBlockSizes) {
    MotionField f = estimate_motion(cur, ref, flow, block, lambda_sad);
    auto bytes = encode_motion(f, coding);
    const double cost = 8.0 * static_cast<double>(bytes.size()) + lambda * sse(cur, compensate(ref, f)) / 3.0;
    if (best.empty() || cost < best_cost) best_cost = cost, *field = std::move(f), best = std::move(bytes);
  }
  return best;
}

}  // namespace nicodec::codecs::video
