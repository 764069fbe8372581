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

// One training checkpoint: model.pt and optim.pt (each swapped in whole), state.txt with the step and `shape`
// (what a resumed run needs to rebuild the net), and the step's snapshot every 1000 steps.
template <class Net, class Optimizer>
void save_checkpoint(const std::string& dir, int64_t step, const Net& net, const Optimizer& opt,
                     std::vector<std::pair<std::string, double>> shape) {
  save_atomically(net, dir, "model.pt");
  save_atomically(opt, dir, "optim.pt");
  shape.insert(shape.begin(), {"step", static_cast<double>(step)});
  write_state(dir, shape);
  keep_snapshot(dir, step);
}

}  // namespace nicodec::codecs
