// Errors NiCodec reports to users. Every message says what is wrong and, where it can, how to fix it.
#pragma once
#include <stdexcept>
#include <string>

namespace nicodec {

// Base of all NiCodec errors: a message a user can act on.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// Input data (a bitstream, a model file, a media file) is malformed, truncated or not what it claims to be.
class FormatError : public Error {
 public:
  explicit FormatError(const std::string& what) : Error(what) {}
};

// A caller passed arguments that cannot work (bad sizes, out-of-range parameters).
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& what) : Error(what) {}
};

}  // namespace nicodec
