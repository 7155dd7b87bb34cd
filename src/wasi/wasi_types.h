// WASI preview 1 constants (errno values, file types, flags) from the witx definitions.
#pragma once

#include <cstdint>

namespace aperture::wasi {

enum Errno : uint32_t {
  kSuccess = 0, kE2big = 1, kEacces = 2, kEagain = 6, kEbadf = 8, kEbusy = 10,
  kEexist = 20, kEfault = 21, kEfbig = 22, kEinval = 28, kEio = 29, kEisdir = 31,
  kEloop = 32, kEmfile = 33, kEmlink = 34, kEnametoolong = 37, kEnoent = 44, kEnomem = 48,
  kEnospc = 51, kEnosys = 52, kEnotdir = 54, kEnotempty = 55, kEnotsup = 58, kEoverflow = 61,
  kEperm = 63, kEpipe = 64, kErange = 68, kEspipe = 70, kEtimedout = 73, kExdev = 75,
  kEnotcapable = 76, kEnotsock = 57, kEnotconn = 53, kEconnreset = 15, kEconnaborted = 13,
  kEconnrefused = 14, kEintr = 27,
};

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

// Maps a host errno to the WASI errno.
uint32_t errno_from_host(int err);

}  // namespace aperture::wasi
