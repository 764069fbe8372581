#include "eval/rd_cache.h"

#include <cstdio>
#include <filesystem>

#include "core/crc32.h"
#include "eval/anchors.h"

namespace nicodec::eval {

RdCache::RdCache(const std::string& path) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const size_t tab = line.find('\t');
    if (tab != std::string::npos) entries_[line.substr(0, tab)] = line.substr(tab + 1);
  }
  out_.open(path, std::ios::app);
}

const std::string* RdCache::find(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

void RdCache::add(const std::string& key, const std::string& value) {
  entries_[key] = value;
  out_ << key << '\t' << value << '\n' << std::flush;
}

std::string file_identity(const std::string& path) {
  namespace fs = std::filesystem;
  const auto t = fs::last_write_time(path).time_since_epoch().count();
  return fs::path(path).filename().string() + "|" + std::to_string(fs::file_size(path)) + "|" + std::to_string(t);
}

std::string codec_identity(const Anchor& a, double param) {
  const std::string what = a.encode + "\n" + a.decode + "\n" + a.cache_tag;
  char k[96];
  std::snprintf(k, sizeof k, "|%s|%.9g|%08x", a.name.c_str(), param, crc32(what.data(), what.size()));
  return k;
}

}  // namespace nicodec::eval
