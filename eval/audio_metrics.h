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

namespace nicodec::eval {

double si_sdr(const float* ref, const float* est, size_t n);  // throws UsageError for an all-zero reference
double mel_distance(const float* ref, const float* est, size_t n, int sample_rate);

// In-place radix-2 FFT (size a power of two); the building block of the spectral metrics.
void fft(std::vector<std::complex<double>>& x);
double hz_to_mel(double hz);  // HTK: 2595 log10(1 + hz / 700)
double mel_to_hz(double mel);
// Triangular mel filters [bands][n_fft / 2 + 1].
std::vector<std::vector<double>> mel_filterbank(int n_fft, int sample_rate, int bands);

}  // namespace nicodec::eval
