#include "core/model_path.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "core/error.h"

namespace nicodec {

std::string find_model(const std::string& file_name) {
  namespace fs = std::filesystem;
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("NICODEC_MODEL_DIR")) dirs.emplace_back(env);
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    dirs.push_back(exe.parent_path() / ".." / ".." / "data" / "models");
    dirs.push_back(exe.parent_path() / ".." / "share" / "nicodec" / "models");
  }
  dirs.emplace_back("data/models");
  std::string searched;
  for (const auto& d : dirs) {
    const fs::path p = d / file_name;
    if (fs::is_regular_file(p, ec)) return fs::weakly_canonical(p, ec).string();
    searched += "\n  " + p.lexically_normal().string();
  }
  throw Error("model file " + file_name + " not found; looked in:" + searched +
              "\nset NICODEC_MODEL_DIR or pass --model PATH");
}

}  // namespace nicodec
