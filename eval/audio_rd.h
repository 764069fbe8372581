// Runs speech/audio codecs (eval/anchors.h audio_anchors, or any codec given as templates) over a folder of
// 16 kHz WAV clips at a sweep of bitrates and measures every point: bytes of the whole file, kbit/s, log-mel
// distance, SI-SDR, and for speech clips STOI and ESTOI. Clips named "<category>-..." (speech-01-..., music-...)
// are reported per category. Measured rows are cached in <out>/audio-cache.tsv (keyed by the clip's content,
// the codec's commands and cache tag, and the setting), so a rerun only runs what changed.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "eval/anchors.h"
#include "eval/rd_plot.h"

namespace nicodec::eval {

struct AudioRdRow {
  std::string clip, category, codec;
  double param = 0, seconds = 0;
  size_t bytes = 0;
  double kbps = 0, mel = 0, si_sdr = 0, stoi = 0, estoi = 0;  // stoi/estoi NaN for non-speech clips
  int lag = 0;            // samples the decoded signal was shifted by to line up with the original
  double encode_seconds = 0, decode_seconds = 0;  // wall time of the tool runs
  std::string error;      // non-empty when the tool failed
};

struct AudioRdOptions {
  std::string audio_dir, out_dir;
  std::vector<std::string> codecs;
  int jobs = 1;  // tool runs in parallel (each measures into its own row and files)
  bool progress = true;
};

// Throws Error for a missing folder, no clips, or a codec whose tool is not installed.
std::vector<AudioRdRow> run_audio_rd(const AudioRdOptions& opt);
void write_audio_csv(const std::vector<AudioRdRow>& rows, const std::string& path);
// Markdown: per category, one row per codec and setting with the means over clips.
std::string audio_markdown_report(const std::vector<AudioRdRow>& rows, const std::string& command);
// Plots of the means: per category mel distance vs kbit/s ("<category>-mel"), and for speech STOI vs kbit/s
// ("speech-stoi"); one series per codec. Returns (file stem, plot) pairs.
std::vector<std::pair<std::string, PlotSpec>> audio_plots(const std::vector<AudioRdRow>& rows);
// The lag in [-max_lag, max_lag] that best lines `est` up with `ref` (cross-correlation over the first 3 s).
int best_lag(const std::vector<float>& ref, const std::vector<float>& est, int max_lag);

}  // namespace nicodec::eval
