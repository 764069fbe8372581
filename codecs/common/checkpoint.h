// Training checkpoints shared by the trainers: a folder with <name>.pt files written next to the old ones and
// swapped in by rename (an interrupted save leaves the previous checkpoint whole), a state.txt of "key value"
// lines (the step and the model's shape), and model-<step>.pt snapshots kept every 1000 steps.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace nicodec::codecs {

// torch::save to <dir>/<name>.tmp, then rename to <dir>/<name>.
template <class T>
void save_atomically(const T& what, const std::string& dir, const std::string& name) {
  torch::save(what, dir + "/" + name + ".tmp");
  std::filesystem::rename(dir + "/" + name + ".tmp", dir + "/" + name);
}

void write_state(const std::string& dir, const std::vector<std::pair<std::string, double>>& values);
// The values of state.txt; throws FormatError naming any of `required` that is missing.
std::map<std::string, double> read_state(const std::string& dir, const std::vector<std::string>& required);
// Copies <dir>/model.pt to <dir>/model-<step>.pt when step is a multiple of 1000.
void keep_snapshot(const std::string& dir, int64_t step);
// <dir>/model.pt, or the snapshot of step `snapshot` (> 0); throws Error naming a missing file.
std::string weights_path(const std::string& dir, int64_t snapshot);

}  // namespace nicodec::codecs
