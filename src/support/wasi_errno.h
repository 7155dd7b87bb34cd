// WASI preview 1's errno numbering (from the witx definitions) and the map from host
// errno values to it. Below every layer that reports errors in it: WASI itself, and
// regions, windows and the guest API, whose errors are WASI errnos by contract
// (RegionError::wasi_errno, docs/regions.md).
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

// Maps a host errno to the WASI errno.
uint32_t errno_from_host(int err);

}  // namespace aperture::wasi
