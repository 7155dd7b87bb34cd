// Small helpers shared by the CLI commands: usage errors and exit codes.
#pragma once

#include <exception>
#include <new>
#include <string>

#include "aperture/error.h"
#include "cli/exit_codes.h"

namespace aperture::cli {

// A problem with what the user typed (as opposed to the module): exits with kExitUsage.
class UsageError : public Error {
 public:
  using Error::Error;
};

// The text after "error: " for a failure that is not a module error or a trap. Running
// out of host memory (std::bad_alloc) says so and what to do instead.
inline std::string error_text(const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e) != nullptr)
    return "out of memory: the module needs more host memory than is available (free memory, "
           "raise the process's memory limit, or use a smaller module)";
  return e.what();
}

}  // namespace aperture::cli
