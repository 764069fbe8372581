// nicodec image coding: picture -> NICO container (docs/bitstream.md) and back, with the rate knob q, a fixed
// quality mode and exact rate control (--bpp).
//
// Bitstream: container kind "image", model "nicodec-image" + model version; params w, h (original size),
// q (rate level * 1000), s (only when the picture was coded downscaled: 2 or 4, see encode_to_bpp); sections "zs" (the Gaussian table of each hyper-latent channel, 6 bits each, chosen by
// the encoder for this picture), "z" (hyper-latent) and "y" (latent, rANS with the Gaussian table that the
// integer-exact h_s picks per element, around its predicted mean). With a model that has a checkerboard context
// (context_model.h), "y" holds the anchors only and "y2" the other half, coded with the context's parameters.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "codecs/image/model_io.h"
#include "core/container.h"
#include "core/media/image_io.h"

namespace nicodec::codecs::image {

constexpr double kQMin = -4.0;         // below level 0 all gains shrink alike; -4 .. -2 is untrained
constexpr double kQTrainedMin = -2.0;  // the lowest rate level drawn in training
constexpr int64_t kMaxSide = 32768;
constexpr int64_t kMaxPixels = int64_t{1} << 28;
constexpr int64_t kMaxRefinePixels = int64_t{1} << 22;  // 4 megapixels: refinement keeps every activation
// With downscaling allowed, --bpp tries a picture half as large (then a quarter) while the current size lands
// below this rate level, and keeps the one that decodes closest to the original.
constexpr double kDownscaleBelowQ = 2.0;
// With --bpp and refinement: how many times a refined file that outgrew the budget is redone at a lower level.
constexpr int kRefineRetries = 2;

// What the entropy decoder recovers from a file, before synthesis (also what the determinism tests compare).
struct DecodedLatents {
  Container header;
  torch::Tensor y_symbols;  // int32 [1, M, H/16, W/16] (padded size)
  torch::Tensor means;      // float, exact multiples of 2^-mean_shift
  torch::Tensor index;      // int32 scale-table indexes
};

struct RateSearch {
  std::vector<uint8_t> bytes;
  double q = 0;
  double bpp = 0;
  bool hit_max = false;  // the target is above what the highest q spends: the file is smaller than asked
  int scale = 1;         // the picture was coded downscaled by this (1, 2 or 4) and is upscaled on decode
};

class ImageCodec {
 public:
  explicit ImageCodec(CodecModel model);
  double q_min() const { return kQMin; }
  double q_max() const { return static_cast<double>(model_.net->config().levels - 1); }
  // --quality Q in [0, 100] -> q, linear over the trained range [kQTrainedMin, q_max].
  double q_from_quality(double quality) const;

  // refine_steps: latent refinement for this call (set_refinement_steps gives the default).
  std::vector<uint8_t> encode(const Image& img, double q) const { return encode(img, q, refine_steps_); }
  // scale 2 or 4: the picture is coded downscaled by that (box filter) and upscaled (bicubic) by the decoder.
  std::vector<uint8_t> encode(const Image& img, double q, int refine_steps, int scale = 1) const;
  // The largest q whose file (headers included) is at most `bpp` bits per pixel. Throws UsageError naming the
  // lowest reachable bpp when even q_min spends more. With set_max_downscale(2 or 4), low targets also try the
  // picture at half (quarter) size, coded at a higher rate level and upscaled (bicubic) by the decoder: the
  // candidate with the smallest error against the original wins.
  RateSearch encode_to_bpp(const Image& img, double bpp) const { return encode_to_bpp(img, bpp, refine_steps_); }
  RateSearch encode_to_bpp(const Image& img, double bpp, int refine_steps) const {
    return encode_to_bpp(img, bpp, refine_steps, max_downscale_);
  }
  // The same with this largest downscale factor instead of set_max_downscale's.
  RateSearch encode_to_bpp(const Image& img, double bpp, int refine_steps, int max_downscale) const;
  Image decode(const std::vector<uint8_t>& bytes) const;
  DecodedLatents decode_latents(const std::vector<uint8_t>& bytes) const;
  // Parses and checks the container (kind, model, params) without decoding.
  Container inspect(const std::vector<uint8_t>& bytes) const;

  const CodecModel& model() const { return model_; }
  // Decode with the int8 synthesis when the model file has one and this libtorch can run it (the default), or
  // in float.
  void set_int8_synthesis(bool on) { int8_ = on; }
  // Encoder effort: gradient steps of latent refinement per picture (latent_refinement.h; 0 = none, the
  // default). Pictures over kMaxRefinePixels are coded without it (memory). With --bpp the rate search runs
  // unrefined and the chosen level is then refined; a refined file over the budget is redone a little lower
  // (refine_within_budget); the unrefined file stays when no refined file fits or the one that fits decodes no closer.
  void set_refinement_steps(int steps) { refine_steps_ = steps; }
  // Largest downscale factor --bpp may choose: 1 (the default: always full size), 2 or 4.
  void set_max_downscale(int s);
  int max_downscale() const { return max_downscale_; }
  int refinement_steps() const { return refine_steps_; }
  bool int8_synthesis() const { return int8_ && !model_.g_s_int8.empty() && quant::Int8Layer::available(); }

 private:
  struct Analysis;
  Analysis analyse(const Image& img, int scale) const;
  std::vector<uint8_t> code(const Analysis& a, int64_t q_code, int refine_steps) const;
  bool search_rate(const Analysis& a, double budget_bits, RateSearch* r, double* lowest_bpp) const;
  // The hyperprior's parameters with the non-anchors' corrected by the checkerboard context.
  EntropyParameters with_context(const EntropyParameters& p, const torch::Tensor& anchor_symbols) const;
  bool uses_context(const Container& c) const;  // the file was coded with this model's context
  void refine_within_budget(const Image& img, const Analysis& a, double budget_bits, int steps, RateSearch* r) const;
  CodecModel model_;
  bool int8_ = true;
  int refine_steps_ = 0;
  int max_downscale_ = 1;
};

}  // namespace nicodec::codecs::image
