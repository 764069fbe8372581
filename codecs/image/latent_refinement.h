// Encoder-side latent refinement (Campos et al. 2019, "Content adaptive optimization for neural image
// compression"; Yang et al. 2020 call the gap it closes the amortization gap): the analysis transform g_a only
// predicts good latents for the average picture, so the encoder improves them for this one by a few gradient
// steps on the model's own loss, bpp + lambda(q) * 255^2 * MSE, through the float synthesis. The hyperprior is
// held fixed (z, and the integer h_s's means and scales from it, are what the file carries), so the decoder is
// unchanged and every file stays a normal nicodec file. Rounding passes gradients straight through.
#pragma once
#include <torch/torch.h>

#include "codecs/image/model.h"

namespace nicodec::codecs::image {

struct RefinementTarget {
  torch::Tensor x;         // the padded picture [1, 3, Hp, Wp] in [0, 1]
  int64_t height, width;   // the picture inside it (distortion is measured there only)
  torch::Tensor means;     // of y, from the integer h_s [1, M, Hp/16, Wp/16]
  torch::Tensor scales;    // of y, the scale table's values at the integer h_s's indexes
  torch::Tensor inv_gain;  // the decoder's gain for this rate level, [1, M, 1, 1]
  double lambda;           // lambda(q) of the training loss
};

// Returns y after `steps` Adam steps (y as the encoder would quantize it: y_sym = round(y - means)). The loss of
// every step is written to `losses` when given (the first entry is the unrefined latents').
torch::Tensor refine_latents(ImageModel& net, const RefinementTarget& t, torch::Tensor y, int steps,
                             std::vector<double>* losses = nullptr);

}  // namespace nicodec::codecs::image
