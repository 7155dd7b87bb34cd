// Small helpers shared by the CLI commands: usage errors and exit codes.
#pragma once

#include "aperture/error.h"
#include "cli/exit_codes.h"

namespace aperture::cli {

// A problem with what the user typed (as opposed to the module): exits with kExitUsage.
class UsageError : public Error {
 public:
  using Error::Error;
};

}  // namespace aperture::cli
