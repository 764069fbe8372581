// vidcodec: low-delay video coding with I and P frames on top of the nicodec image model.
//
// I frames are nicodec pictures. A P frame predicts the frame from the previous decoded frame by motion
// compensation (codecs/video/motion_field.h: a block motion field coded with CABAC, warped smoothly), refined by a
// small learned net where that lowers the error (prediction_refiner.h, when a refiner is loaded), and codes the
// residual, offset to mid-grey, as a nicodec picture at full or half size (DVC-style residual coding; the image model was trained on
// photographs, not residuals, so a residual-trained model and conditional coding are the next steps). Frames are
// converted to RGB (BT.709, core/media/color.h) for coding and back to YUV 4:2:0 for output; the decoder keeps one
// reference frame and streams records in and out, so memory is a few frames whatever the clip's length.
//
// File (docs/bitstream.md): "NCV1", a varint length and a NiCodec container (kind video, model "vidcodec": params
// width, height, fps_num, fps_den, intra_period, residual_version, motion_coding, refiner_version), then per frame a record (varint length, then a type byte:
// 0 = I followed by the nicodec bitstream; 1 = P followed by a varint motion length, the CABAC motion field and
// its CRC-32 (length 0: no motion, no CRC), and the residual's nicodec bitstream (absent: no residual); 2 = P as 1
// with the prediction refined (prediction_refiner.h; the header then has refiner_version)), then a varint 0.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "codecs/image/codec.h"
#include "codecs/video/motion_field.h"
#include "codecs/video/prediction_refiner.h"
#include "core/media/video_io.h"

namespace nicodec::codecs::video {

// The image models vidcodec codes with: one for I frames, one for P-frame residuals (the same one unless a
// residual model, trained on residual pictures (`vidcodec residual-set`, docs/video-codec.md), is given). The
// file records the residual model's version; decoding needs the same.
// The refinement net of P-frame predictions (prediction_refiner.h) is optional: without one the encoder writes
// no refined frames, and a file that has them names the refiner version it needs.
struct VideoModels {
  const image::ImageCodec* intra;
  const image::ImageCodec* residual;
  const PredictionRefiner* refiner = nullptr;
  VideoModels(const image::ImageCodec& both) : intra(&both), residual(&both) {}  // NOLINT: implicit on purpose
  VideoModels(const image::ImageCodec& i, const image::ImageCodec& r) : intra(&i), residual(&r) {}
};

struct VideoEncodeOptions {
  double q = 4;            // rate level of I frames when no target is given
  // P frames decide (motion search, residual or not) and code residuals at level q + this. The I frame's quality
  // is what motion-only P frames carry forward, so a level well above theirs pays: -3 against -1 gave the same
  // PSNR for 16% fewer bytes on cockatoo at low rates (docs/video-codec.md, "The P frames' level").
  double p_q_offset = -3;
  int intra_period = -1;   // -1: only the first frame is intra; N: every N-th frame; 1: intra-only
  double kbps = 0;         // > 0: the whole file at most this over the clip's duration
  double bpp = 0;          // > 0: the same as a bits-per-pixel target over all frames
  int64_t max_frames = 0;  // > 0: code only the first frames
  // With --kbps / --bpp: encodes of the whole clip at most (the first gives each frame a share of the target; the
  // next ones code the clip at one rate level, searched so that the file lands just under the target); the file
  // under the target with the best mean PSNR is written. 1: one pass, the file streamed out as it is coded (also
  // for budgets over 256 MiB, which passes would hold in memory).
  int passes = 4;
  int intra_refine = 0;    // latent refinement steps for I frames (image/latent_refinement.h); residuals: none
  int motion_coding = kMotionCoding;  // 1 writes the files vidcodec wrote before motion coding 2 (motion_field.h)
  RawVideoOptions raw;     // the size and rate of a headerless .yuv input
};

struct VideoEncodeResult {
  int64_t frames = 0, bytes = 0, intra_frames = 0;
  int width = 0, height = 0;
  double fps = 0, kbps = 0, bpp = 0;
  int64_t target_bytes = 0;       // with --kbps / --bpp: the cap on the file's size
  int passes = 1, kept_pass = 1;  // encodes of the clip run, and which one (from 1) was written
  struct Pass {
    int64_t bytes = 0;
    double psnr = 0;  // the encoder's mean per-frame PSNR over RGB, what picks the kept pass
    double q = 0;     // the clip's rate level (a frame-share pass: its first I frame's)
    bool fixed_level = false;  // false: frame shares of the target (pass 1)
    bool stopped = false;      // passed the target and stopped (bytes: extrapolated from the frames it coded)
  };
  std::vector<Pass> pass_log;  // with more than one pass, each one's outcome
};

// Reads any clip VideoReader opens and writes `output` as it goes (to a temporary name renamed into place at
// the end; "-" = stdout).
// progress(frames done, frames in all) after each frame when given.
VideoEncodeResult encode_video(const VideoModels& models, const std::string& input, const std::string& output,
                               const VideoEncodeOptions& opt, const std::function<void(int64_t, int64_t)>& progress = {});

struct VideoDecodeResult {
  int64_t frames = 0, intra_frames = 0;
  int width = 0, height = 0, fps_num = 0, fps_den = 1;
};
// Decodes `input` ("-" = standard input) to y4m (".y4m" or "-") or raw 4:2:0 (any other name), reading and writing
// one frame at a time (memory: a frame record and a few frames, whatever the clip's length). Throws FormatError
// for a broken or truncated file; no output file is left then.
VideoDecodeResult decode_video(const VideoModels& models, const std::string& input, const std::string& output);
// The same from bytes in memory.
VideoDecodeResult decode_video(const VideoModels& models, const std::vector<uint8_t>& bitstream,
                               const std::string& output);

// The header and the frame records' types and sizes, without decoding (for `vidcodec info`).
struct VideoInfo {
  std::string header;  // describe_container's text
  int64_t frames = 0, intra_frames = 0, intra_bytes = 0, motion_bytes = 0, residual_bytes = 0, refined_frames = 0;
  int64_t residual_frames = 0, downscaled_residuals = 0;  // P frames with a residual; those coded downscaled
};
VideoInfo inspect_video(const std::string& input);
VideoInfo inspect_video(const std::vector<uint8_t>& bitstream);

}  // namespace nicodec::codecs::video
