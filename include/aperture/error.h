// Errors raised while loading a module: decoding (malformed), validation (invalid),
// linking (unlinkable) and instantiation (uninstantiable).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace aperture {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An error located at a byte offset of the module.
class OffsetError : public Error {
 public:
  OffsetError(const char* kind, uint64_t offset, const std::string& what)
      : Error(std::string(kind) + " module at offset " + std::to_string(offset) + ": " + what),
        offset_(offset), detail_(what) {}
  uint64_t offset() const { return offset_; }
  const std::string& detail() const { return detail_; }

 protected:
  // A message of its own (not "<kind> module at offset N: ...").
  OffsetError(uint64_t offset, const std::string& detail, const std::string& message)
      : Error(message), offset_(offset), detail_(detail) {}

 private:
  uint64_t offset_;
  std::string detail_;
};

// The bytes are not a well-formed module. `offset` is the byte offset of the problem.
class DecodeError : public OffsetError {
 public:
  DecodeError(uint64_t offset, const std::string& what) : OffsetError("malformed", offset, what) {}

 protected:
  DecodeError(uint64_t offset, const std::string& detail, const std::string& message)
      : OffsetError(offset, detail, message) {}
};

// The module uses a proposal that this build, or the engine chosen, does not implement
// (yet): not malformed, but it cannot be loaded. A DecodeError, so every caller that
// refuses a module that does not decode refuses it too.
class UnsupportedFeatureError : public DecodeError {
 public:
  // `feature`: "SIMD (128-bit vectors)"; `who`: "this build", "the compiled engine";
  // `advice`: what to do instead ("" when there is nothing to do).
  UnsupportedFeatureError(uint64_t offset, const std::string& feature,
                          const std::string& who = "this build", const std::string& advice = "")
      : DecodeError(offset, feature + " is not supported",
                    "module uses " + feature + " (at offset " + std::to_string(offset) +
                        "), which " + who + " does not support yet" +
                        (advice.empty() ? "" : "; " + advice)),
        by_engine_(who != "this build") {}
  // True when an engine refused a module that decodes and validates (rather than the
  // decoder refusing a proposal Aperture has no decoding for).
  bool by_engine() const { return by_engine_; }

 private:
  bool by_engine_;
};

// The module is well-formed but does not type-check.
class ValidationError : public OffsetError {
 public:
  ValidationError(uint64_t offset, const std::string& what) : OffsetError("invalid", offset, what) {}
};

// Imports could not be resolved or do not match.
class LinkError : public Error {
 public:
  using Error::Error;
};

}  // namespace aperture
