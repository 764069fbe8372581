#include "codecs/common/checkpoint.h"

#include <fstream>
#include <sstream>

#include "core/error.h"

namespace nicodec::codecs {

namespace fs = std::filesystem;

void write_state(const std::string& dir, const std::vector<std::pair<std::string, double>>& values) {
  const std::string tmp = dir + "/state.txt.tmp";
  {
    std::ofstream f(tmp);
    f.precision(17);
    for (const auto& [k, v] : values) f << k << " " << v << "\n";
    if (!f) throw Error("cannot write " + tmp);
  }
  fs::rename(tmp, dir + "/state.txt");
}

std::map<std::string, double> read_state(const std::string& dir, const std::vector<std::string>& required) {
  std::ifstream f(dir + "/state.txt");
  if (!f) throw Error("checkpoint '" + dir + "' has no state.txt");
  std::map<std::string, double> kv;
  std::string k;
  double v;
  while (f >> k >> v) kv[k] = v;
  for (const auto& key : required)
    if (!kv.count(key)) throw FormatError("checkpoint state.txt in '" + dir + "' lacks '" + key + "'");
  return kv;
}

void keep_snapshot(const std::string& dir, int64_t step) {
  if (step % 1000 == 0)
    fs::copy_file(dir + "/model.pt", dir + "/model-" + std::to_string(step) + ".pt", fs::copy_options::overwrite_existing);
}

std::string weights_path(const std::string& dir, int64_t snapshot) {
  const std::string path = snapshot > 0 ? dir + "/model-" + std::to_string(snapshot) + ".pt" : dir + "/model.pt";
  if (!fs::exists(path)) throw Error("no checkpoint " + path + " (snapshots are kept every 1000 steps)");
  return path;
}

}  // namespace nicodec::codecs
