// PNG rendering of a plot (same layout as svg_plot), with OpenCV's drawing functions.
#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "core/media/image_io.h"
#include "eval/rd_plot.h"

namespace nicodec::eval {

void png_plot(const PlotSpec& spec, const std::string& path) {
  const int W = 1080, H = 720, L = 100, R = 250, T = 60, B = 90;
  const PlotRange r = plot_range(spec);
  cv::Mat img(H, W, CV_8UC3, cv::Scalar(255, 255, 255));
  const auto font = cv::FONT_HERSHEY_SIMPLEX;
  cv::putText(img, spec.title, {W / 2 - 120, 38}, font, 0.9, {0, 0, 0}, 2, cv::LINE_AA);
  if (!r.empty) {
    const double x0 = r.x0, x1 = r.x1, y0 = r.y0, y1 = r.y1;
    auto X = [&](double v) { return static_cast<int>(L + (std::log10(v) - x0) / std::max(1e-9, x1 - x0) * (W - L - R)); };
    auto Y = [&](double v) { return static_cast<int>(H - B - (v - y0) / std::max(1e-9, y1 - y0) * (H - T - B)); };
    char buf[32];
    for (double e = x0; e <= x1 + 1e-9; e += 0.5) {
      const double v = std::pow(10, e);
      cv::line(img, {X(v), T}, {X(v), H - B}, {221, 221, 221}, 1);
      std::snprintf(buf, sizeof buf, "%.3g", v);
      cv::putText(img, buf, {X(v) - 20, H - B + 28}, font, 0.55, {0, 0, 0}, 1, cv::LINE_AA);
    }
    for (double v = y0; v <= y1 + r.y_step * 1e-6; v += r.y_step) {
      cv::line(img, {L, Y(v)}, {W - R, Y(v)}, {221, 221, 221}, 1);
      std::snprintf(buf, sizeof buf, "%.4g", v);
      cv::putText(img, buf, {L - 60, Y(v) + 6}, font, 0.55, {0, 0, 0}, 1, cv::LINE_AA);
    }
    cv::putText(img, spec.x_label, {(W - R + L) / 2 - 90, H - 30}, font, 0.65, {0, 0, 0}, 1, cv::LINE_AA);
    cv::putText(img, spec.y_label, {10, T - 15}, font, 0.65, {0, 0, 0}, 1, cv::LINE_AA);
    static const cv::Scalar colors[] = {{180, 119, 31}, {14, 127, 255}, {44, 160, 44}, {40, 39, 214}, {189, 103, 148},
                                        {75, 86, 140},  {194, 119, 227}, {127, 127, 127}, {34, 189, 188}, {207, 190, 23}};
    for (size_t i = 0; i < spec.series.size(); ++i) {
      const cv::Scalar col = colors[i % 10];
      std::vector<cv::Point> pts;
      for (const auto& [x, y] : spec.series[i].points)
        if (x > 0 && std::isfinite(y)) pts.emplace_back(X(x), Y(y));
      cv::polylines(img, pts, false, col, 2, cv::LINE_AA);
      for (const auto& pt : pts) cv::circle(img, pt, 4, col, cv::FILLED, cv::LINE_AA);
      cv::putText(img, spec.series[i].name, {W - R + 25, T + 25 + 28 * static_cast<int>(i)}, font, 0.7, col, 2, cv::LINE_AA);
    }
  }
  Image out;
  out.width = W;
  out.height = H;
  out.rgb.resize(static_cast<size_t>(W) * H * 3);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const cv::Vec3b& p = img.at<cv::Vec3b>(y, x);  // BGR
      uint8_t* q = out.pixel(x, y);
      q[0] = p[2], q[1] = p[1], q[2] = p[0];
    }
  write_image(path, out);
}

}  // namespace nicodec::eval
