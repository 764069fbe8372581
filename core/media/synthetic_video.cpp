#include "core/media/synthetic_video.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace nicodec {

void render_camera_path(const Image& photo, int width, int height, int frames, const CameraPath& path,
                        VideoWriter& out) {
  if (width < 2 || height < 2 || frames < 1) throw UsageError("camera path: size and frame count must be positive");
  if (!(path.scale0 > 0) || !(path.scale1 > 0)) throw UsageError("camera path: scales must be positive");
  // Pre-filter: area-downscale the photo by the path's smallest scale (when above 1), so the bicubic resampler
  // below never shrinks by more than the ratio of the largest to the smallest scale along the path.
  const double pre = std::max(1.0, std::min(path.scale0, path.scale1));
  cv::Mat src(photo.height, photo.width, CV_8UC3, const_cast<uint8_t*>(photo.rgb.data()));
  cv::Mat base;
  if (pre > 1.0)
    cv::resize(src, base, cv::Size(static_cast<int>(std::lround(photo.width / pre)),
                                   static_cast<int>(std::lround(photo.height / pre))), 0, 0, cv::INTER_AREA);
  else
    base = src;
  const double fx = static_cast<double>(base.cols) / photo.width, fy = static_cast<double>(base.rows) / photo.height;
  for (int k = 0; k < frames; ++k) {
    const double t = frames == 1 ? 0.0 : static_cast<double>(k) / (frames - 1);
    const double e = 0.5 - 0.5 * std::cos(M_PI * t);  // ease in and out
    const double cx = path.cx0 + (path.cx1 - path.cx0) * e, cy = path.cy0 + (path.cy1 - path.cy0) * e;
    const double s = path.scale0 * std::pow(path.scale1 / path.scale0, e);  // zoom evenly in log scale
    const double x0 = cx - s * width / 2.0, y0 = cy - s * height / 2.0;
    if (x0 < 0 || y0 < 0 || x0 + s * width > photo.width || y0 + s * height > photo.height)
      throw UsageError("camera path: frame " + std::to_string(k) + " leaves the photo");
    // Output pixel centre (x + 1/2, y + 1/2) looks at source point x0 + s (x + 1/2), in base coordinates.
    cv::Mat m = (cv::Mat_<double>(2, 3) << s * fx, 0, (x0 + s * 0.5) * fx - 0.5, 0, s * fy, (y0 + s * 0.5) * fy - 0.5);
    cv::Mat frame;
    cv::warpAffine(base, frame, m, cv::Size(width, height), cv::INTER_CUBIC | cv::WARP_INVERSE_MAP, cv::BORDER_REFLECT);
    Image img;
    img.width = width;
    img.height = height;
    img.rgb.assign(frame.data, frame.data + static_cast<size_t>(width) * height * 3);
    out.write(rgb_to_yuv420_bt709(img));
  }
}

}  // namespace nicodec
