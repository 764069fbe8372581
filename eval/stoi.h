// Short-time objective intelligibility (Taal, Hendriks, Heusdens & Jensen 2011, IEEE TASLP 19(7)).
// stoi_10k takes signals sampled at 10 kHz (the algorithm's rate); stoi resamples any Audio to it first.
// Steps: drop frames (256 samples, 50% overlap, Hann) more than 40 dB below the loudest clean frame, in both
// signals alike; STFT (256-sample frames, hop 128, 512-point FFT); 15 one-third octave bands from 150 Hz;
// 30-frame (384 ms) segments of band envelopes; the processed envelope scaled to the clean one's energy and
// clipped at (1 + 10^(15/20)) times the clean one (beta = -15 dB); mean correlation over bands and segments.
// Measured on data/samples/speech-16k-3s.wav in white noise: 0.997 at 30 dB SNR, 0.775 at 0 dB, 0.572 at
// -15 dB, and a floor near 0.49 (clipping ties even pure noise to the clean envelope), so read scores below
// about 0.5 as "unintelligible", not as a linear scale down to 0.
#pragma once
#include <cstddef>

#include "core/media/audio_io.h"

namespace nicodec::eval {

// Throws UsageError if, after silence removal, the signals are shorter than one 30-frame segment.
double stoi_10k(const float* clean, const float* processed, size_t n);
double stoi(const Audio& clean, const Audio& processed);  // mono (downmixed), resampled to 10 kHz

// Extended STOI (Jensen & Taal 2016, IEEE/ACM TASLP 24(11)): the same silence removal, STFT, bands and 30-frame
// segments, no clipping; each segment's bands x frames envelope matrix is normalized to zero mean and unit
// norm along time (rows), then along bands (columns); the score is the mean inner product of matching columns
// of clean and processed, over frames and segments. Unlike STOI it also penalizes modulated (fluctuating)
// maskers and distortions that reshape the spectrum within a frame; about 0 for unrelated signals.
double estoi_10k(const float* clean, const float* processed, size_t n);
double estoi(const Audio& clean, const Audio& processed);

}  // namespace nicodec::eval
