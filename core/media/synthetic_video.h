// Camera motion rendered over a still photograph, for video test and training clips where no real footage
// exists: a virtual camera pans and zooms along a smooth path with sub-pixel positions (bicubic resampling of a
// pre-filtered source), converted to YUV 4:2:0 with BT.709 limited-range coefficients. Such clips are labelled
// as synthetic wherever they are used: the motion is real camera-like motion, the scene is static.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/media/color.h"  // rgb_to_yuv420_bt709
#include "core/media/image_io.h"
#include "core/media/video_io.h"

namespace nicodec {

struct CameraPath {
  // Centre (source pixels) and scale (source pixels per output pixel) at the first and last frame; in between
  // the camera eases in and out (cosine), so velocity is smooth and mostly non-integer.
  double cx0, cy0, scale0, cx1, cy1, scale1;
};

// Renders `frames` frames of width x height; throws UsageError if the path leaves the photo.
void render_camera_path(const Image& photo, int width, int height, int frames, const CameraPath& path,
                        VideoWriter& out);

}  // namespace nicodec
