// Audio quality metrics on mono float signals.
//   si_sdr        scale-invariant signal-to-distortion ratio (Le Roux et al. 2019): both signals made zero-mean,
//                 target = (<est, ref> / <ref, ref>) ref, SI-SDR = 10 log10(|target|^2 / |est - target|^2)
//   mel_distance  multi-scale log-mel distance: for FFT sizes 512, 1024 and 2048 (hop = size / 4, periodic Hann
//                 window), the power spectrogram through 64 HTK-mel triangular filters from 0 Hz to Nyquist,
//                 log10(max(energy, 1e-5)), mean absolute difference over frames and bands; averaged over the
//                 three sizes. Signals are compared over their common length. The 1e-5 floor makes near-silent
//                 bands count as soon as noise rises above it (a tone plus faint hiss is far from the pure tone).
#pragma once
#include <complex>
#include <cstddef>
#include <vector>

#include "core/mel_scale.h"  // hz_to_mel, mel_filterbank (used by the metrics)

namespace nicodec::eval {

double si_sdr(const float* ref, const float* est, size_t n);  // throws UsageError for an all-zero reference
double mel_distance(const float* ref, const float* est, size_t n, int sample_rate);

// In-place radix-2 FFT (size a power of two); the building block of the spectral metrics.
void fft(std::vector<std::complex<double>>& x);

}  // namespace nicodec::eval
