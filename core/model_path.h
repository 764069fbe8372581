// Finds a shipped model file (data/models/<name>) from wherever the program runs: the build tree, an install
// prefix, or the source tree.
#pragma once
#include <string>

namespace nicodec {

// Search order: $NICODEC_MODEL_DIR, <exe>/../../data/models (build tree), <exe>/../share/nicodec/models
// (install), ./data/models. Throws Error listing the places searched when none holds `file_name`.
std::string find_model(const std::string& file_name);

}  // namespace nicodec
