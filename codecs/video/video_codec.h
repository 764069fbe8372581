// vidcodec, first step: an intra-only learned video codec. Every frame is converted to RGB (BT.709,
// core/media/color.h), coded as a picture by the nicodec image model, and converted back to YUV 4:2:0 by the
// decoder. There are no P frames yet (motion, conditional coding: issue 7), so this is the intra baseline the
// inter codec has to beat, and the file format, rate control, streaming and evaluation it will reuse.
//
// File: "NCV1", then a varint length and a NiCodec container (codec kind video, model "vidcodec-intra": params
// width, height, fps_num, fps_den), then one record per frame (varint length, the frame's nicodec bitstream), then a
// varint 0 that ends the stream (docs/bitstream.md). Frames decode one at a time: memory is one frame.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "codecs/image/codec.h"

namespace nicodec::codecs::video {

struct IntraEncodeOptions {
  double q = 4;         // nicodec rate level of every frame, when no target is given
  double kbps = 0;      // > 0: the whole file at most this over the clip's duration (each frame gets an equal share)
  double bpp = 0;       // > 0: the same as a bits-per-pixel target over all frames
  int64_t max_frames = 0;  // > 0: code only the first frames
};

struct IntraEncodeResult {
  int64_t frames = 0, bytes = 0;
  int width = 0, height = 0;
  double fps = 0, kbps = 0, bpp = 0;
};

// Reads any clip VideoReader opens and writes `output` (a temporary name renamed into place; "-" = stdout).
// progress(frames done, frames in all) after each frame when given.
IntraEncodeResult encode_intra_video(const image::ImageCodec& codec, const std::string& input, const std::string& output,
                                     const IntraEncodeOptions& opt, const std::function<void(int64_t, int64_t)>& progress = {});

struct IntraDecodeResult {
  int64_t frames = 0;
  int width = 0, height = 0, fps_num = 0, fps_den = 1;
};
// Decodes to y4m (".y4m") or raw 4:2:0 (any other name). Throws FormatError for a broken or truncated file.
IntraDecodeResult decode_intra_video(const image::ImageCodec& codec, const std::vector<uint8_t>& bitstream,
                                     const std::string& output);

}  // namespace nicodec::codecs::video
