// Discretized parametric distributions for hyperprior-style latents (Ballé et al. 2018, Minnen et al. 2018):
// a latent y with predicted mean mu and scale s is coded as q = round(y - mu) with the table built for the
// smallest tabulated scale >= s. The math here uses only +, -, *, / and comparisons (no libm), and this
// library is built without FMA contraction, so every machine builds bit-identical tables.
#pragma once
#include <cstdint>
#include <vector>

#include "entropy/cdf_tables.h"

namespace nicodec::entropy {

enum class Family { kGaussian, kLaplacian, kLogistic };

// Deterministic exp, log and standard normal CDF (relative error ~1e-15 where it matters for 16-bit tables).
double det_exp(double x);
double det_log(double x);
double det_normal_cdf(double x);
// CDF of a zero-mean unit-scale member of the family, evaluated deterministically.
double family_cdf(Family f, double x);

// Geometric scale table from lo to hi (CompressAI's default is 64 scales from 0.11 to 256).
std::vector<double> make_scale_table(int n = 64, double lo = 0.11, double hi = 256.0);

// One table per scale: values -r..r, where r is the smallest radius leaving < tail_mass outside, with the
// tail mass given to the escape symbol.
CdfTables make_parametric_tables(Family f, const std::vector<double>& scales, double tail_mass = 1.0 / (1 << 16));

// Index of the smallest scale in the (ascending) table that is >= s; the last one for larger s.
uint16_t scale_index(const std::vector<double>& scales, double s);

}  // namespace nicodec::entropy
