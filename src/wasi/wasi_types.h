// WASI preview 1 constants (errno values, file types, flags) from the witx definitions.
#pragma once

#include <cstdint>

#include "support/wasi_errno.h"

namespace aperture::wasi {

enum FileType : uint8_t {
  kUnknown = 0, kBlockDevice = 1, kCharacterDevice = 2, kDirectory = 3, kRegularFile = 4,
  kSocketDgram = 5, kSocketStream = 6, kSymbolicLink = 7,
};

// oflags
constexpr uint32_t kOflagCreat = 1, kOflagDirectory = 2, kOflagExcl = 4, kOflagTrunc = 8;
// fdflags
constexpr uint32_t kFdflagAppend = 1, kFdflagDsync = 2, kFdflagNonblock = 4, kFdflagRsync = 8,
                   kFdflagSync = 16;
// lookupflags
constexpr uint32_t kLookupSymlinkFollow = 1;

}  // namespace aperture::wasi
