// WASI preview-1 rights: what each descriptor may do. Every fd carries a base set (what
// calls on it may do) and an inheriting set (the most a descriptor opened through it may
// get). Calls check their right and fail with ENOTCAPABLE without it; fd_fdstat_get
// reports the sets; fd_fdstat_set_rights may only drop rights.
#pragma once

#include <cstdint>

#include "wasi/wasi_types.h"

namespace aperture::wasi {

constexpr uint64_t kRightFdDatasync = 1ull << 0;
constexpr uint64_t kRightFdRead = 1ull << 1;
constexpr uint64_t kRightFdSeek = 1ull << 2;
constexpr uint64_t kRightFdFdstatSetFlags = 1ull << 3;
constexpr uint64_t kRightFdSync = 1ull << 4;
constexpr uint64_t kRightFdTell = 1ull << 5;
constexpr uint64_t kRightFdWrite = 1ull << 6;
constexpr uint64_t kRightFdAdvise = 1ull << 7;
constexpr uint64_t kRightFdAllocate = 1ull << 8;
constexpr uint64_t kRightPathCreateDirectory = 1ull << 9;
constexpr uint64_t kRightPathCreateFile = 1ull << 10;
constexpr uint64_t kRightPathLinkSource = 1ull << 11;
constexpr uint64_t kRightPathLinkTarget = 1ull << 12;
constexpr uint64_t kRightPathOpen = 1ull << 13;
constexpr uint64_t kRightFdReaddir = 1ull << 14;
constexpr uint64_t kRightPathReadlink = 1ull << 15;
constexpr uint64_t kRightPathRenameSource = 1ull << 16;
constexpr uint64_t kRightPathRenameTarget = 1ull << 17;
constexpr uint64_t kRightPathFilestatGet = 1ull << 18;
constexpr uint64_t kRightPathFilestatSetSize = 1ull << 19;
constexpr uint64_t kRightPathFilestatSetTimes = 1ull << 20;
constexpr uint64_t kRightFdFilestatGet = 1ull << 21;
constexpr uint64_t kRightFdFilestatSetSize = 1ull << 22;
constexpr uint64_t kRightFdFilestatSetTimes = 1ull << 23;
constexpr uint64_t kRightPathSymlink = 1ull << 24;
constexpr uint64_t kRightPathRemoveDirectory = 1ull << 25;
constexpr uint64_t kRightPathUnlinkFile = 1ull << 26;
constexpr uint64_t kRightPollFdReadwrite = 1ull << 27;
constexpr uint64_t kRightSockShutdown = 1ull << 28;
constexpr uint64_t kRightSockAccept = 1ull << 29;

constexpr uint64_t kRightsAll = (1ull << 30) - 1;

// What a regular file can do (reading and writing rights only where its mode allows).
constexpr uint64_t kRightsFileRead = kRightFdRead | kRightPollFdReadwrite;
constexpr uint64_t kRightsFileWrite = kRightFdWrite | kRightFdDatasync | kRightFdSync |
                                      kRightFdAllocate | kRightFdFilestatSetSize;
constexpr uint64_t kRightsFileCommon = kRightFdSeek | kRightFdTell | kRightFdFdstatSetFlags |
                                       kRightFdAdvise | kRightFdFilestatGet |
                                       kRightFdFilestatSetTimes;
constexpr uint64_t kRightsFile = kRightsFileRead | kRightsFileWrite | kRightsFileCommon;
// What a directory can do: no reading, writing or seeking of bytes.
constexpr uint64_t kRightsDirectory =
    kRightFdFdstatSetFlags | kRightFdSync | kRightFdDatasync | kRightPathCreateDirectory |
    kRightPathCreateFile | kRightPathLinkSource | kRightPathLinkTarget | kRightPathOpen |
    kRightFdReaddir | kRightPathReadlink | kRightPathRenameSource | kRightPathRenameTarget |
    kRightPathFilestatGet | kRightPathFilestatSetSize | kRightPathFilestatSetTimes |
    kRightFdFilestatGet | kRightFdFilestatSetTimes | kRightPathSymlink |
    kRightPathRemoveDirectory | kRightPathUnlinkFile;
// A terminal, pipe or other stream: no seeking (wasi-libc's isatty() relies on that).
constexpr uint64_t kRightsStream = kRightFdRead | kRightFdWrite | kRightFdFdstatSetFlags |
                                   kRightFdFilestatGet | kRightPollFdReadwrite |
                                   kRightFdSync | kRightFdDatasync;
constexpr uint64_t kRightsSocket = kRightsStream | kRightSockShutdown | kRightSockAccept;

// The rights a descriptor of `type` can have at most, given its host access mode.
uint64_t rights_for(FileType type, bool readable, bool writable);

}  // namespace aperture::wasi
