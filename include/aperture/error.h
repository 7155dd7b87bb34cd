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

 private:
  uint64_t offset_;
  std::string detail_;
};

// The bytes are not a well-formed module. `offset` is the byte offset of the problem.
class DecodeError : public OffsetError {
 public:
  DecodeError(uint64_t offset, const std::string& what) : OffsetError("malformed", offset, what) {}
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
