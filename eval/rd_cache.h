// The result cache of the audio and video RD runners: one "key TAB value" line per measured point, appended as
// points finish, so an interrupted run keeps what it measured and a rerun only does new work. The key names
// what the result depends on (the input's identity, the codec's commands and cache tag, the setting).
#pragma once
#include <fstream>
#include <map>
#include <string>

namespace nicodec::eval {

class RdCache {
 public:
  explicit RdCache(const std::string& path);
  const std::string* find(const std::string& key) const;  // nullptr when not cached
  void add(const std::string& key, const std::string& value);

 private:
  std::map<std::string, std::string> entries_;
  std::ofstream out_;
};

// A key part for a file: its name, size and modification time (cheaper than hashing a long clip).
std::string file_identity(const std::string& path);
// A key part for a codec and setting: name, setting, and a CRC of its commands and cache tag.
std::string codec_identity(const struct Anchor& a, double param);

}  // namespace nicodec::eval
