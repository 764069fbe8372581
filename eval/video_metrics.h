// Video quality metrics on 8-bit YUV 4:2:0 frames, as learned video coding papers report them (DCVC, UVG
// tables): per-plane PSNR, and PSNR-YUV = (6 PSNR_Y + PSNR_U + PSNR_V) / 8 per frame, averaged over frames;
// MS-SSIM with the same weighting.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/media/video_io.h"

namespace nicodec::eval {

struct YuvPsnr {
  double y, u, v, yuv;  // dB; inf for identical planes (and then yuv is inf)
};

YuvPsnr psnr_yuv420(const Frame420& ref, const Frame420& test);  // throws UsageError on a size mismatch
double plane_psnr(const uint8_t* a, const uint8_t* b, size_t n);
// MS-SSIM-YUV = (6 MS-SSIM_Y + MS-SSIM_U + MS-SSIM_V) / 8 (eval/image_metrics.h's MS-SSIM per plane, the same
// 6:1:1 weighting as PSNR-YUV). Throws UsageError when a chroma plane is under 176x176 (e.g. frames below
// 352x352 luma).
double ms_ssim_yuv420(const Frame420& ref, const Frame420& test);
// kbps of a file of `bytes` holding `frames` frames at `fps`.
double kbps(size_t bytes, size_t frames, double fps);

}  // namespace nicodec::eval
