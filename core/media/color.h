// RGB <-> YUV 4:2:0 with BT.709 limited-range coefficients (ITU-R BT.709-6: Kr = 0.2126, Kb = 0.0722;
// Y' = 16 + 219 E'Y, Cb = 128 + 224 (E'B - E'Y) / 1.8556, Cr = 128 + 224 (E'R - E'Y) / 1.5748), the matrix of HD
// video and of the UVG clips. A BT.601 matrix on BT.709 material shifts colours and costs over 1 dB of PSNR.
// Chroma sits at the centre of each 2x2 luma block (box mean down, bilinear up), the siting of JPEG and of
// FFmpeg's swscale defaults for full-chroma conversions; odd sizes repeat the last row/column.
#pragma once
#include "core/media/image_io.h"
#include "core/media/video_io.h"

namespace nicodec {

Frame420 rgb_to_yuv420_bt709(const Image& rgb);
Image yuv420_to_rgb_bt709(const Frame420& yuv);  // values outside RGB's range are clipped

}  // namespace nicodec
