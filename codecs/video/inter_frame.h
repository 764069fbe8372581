// The pieces of P-frame coding that the codec and the residual training set share: residual pictures, the
// frame error, and the encoder's motion decision.
#pragma once
#include <cstdint>
#include <vector>

#include "codecs/video/motion_search.h"
#include "core/media/image_io.h"

namespace nicodec::codecs::video {

// The residual as a picture: 128 + (cur - pred) per RGB sample, clamped (differences beyond +-127 are rare and
// clip); add_residual undoes it on a prediction.
Image residual_picture(const Image& cur, const Image& pred);
void add_residual(Image& pred, const Image& residual);
// Sum of squared differences over all RGB samples.
double sse(const Image& a, const Image& b);
// The SAD weight of the motion search for the image model's lambda: sqrt(1 / lambda) (H.264 encoders take the
// square root of the mode lambda for SAD-based motion decisions), within [1, kMaxSadLambda].
constexpr int kMaxSadLambda = 4096;
int sad_lambda(double lambda);
// The motion field at the block size (16 or 32) with the lower motion bits + lambda * SSE / 3, searched with
// sad_lambda(lambda); returns its bytes in the given motion coding.
std::vector<uint8_t> choose_motion(const Image& cur, const Image& ref, const Flow& flow, double lambda, MotionField* field,
                                   int coding = kMotionCoding);

}  // namespace nicodec::codecs::video
