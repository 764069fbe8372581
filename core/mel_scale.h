// The HTK mel scale and triangular mel filterbanks, shared by the audio metrics (eval) and the audio codec's
// training losses, so both measure "mel" the same way.
#pragma once
#include <vector>

namespace nicodec {

double hz_to_mel(double hz);  // HTK: 2595 log10(1 + hz / 700)
double mel_to_hz(double mel);
// Triangular filters [bands][n_fft / 2 + 1], edges equally spaced in mel from 0 Hz to Nyquist, peak 1.
std::vector<std::vector<double>> mel_filterbank(int n_fft, int sample_rate, int bands);

}  // namespace nicodec
