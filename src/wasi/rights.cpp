#include "wasi/rights.h"

namespace aperture::wasi {

uint64_t rights_for(FileType type, bool readable, bool writable) {
  uint64_t rights = 0;
  switch (type) {
    case kDirectory: return kRightsDirectory;
    case kRegularFile:
    case kBlockDevice: rights = kRightsFile; break;
    case kSocketStream:
    case kSocketDgram: rights = kRightsSocket; break;
    default: rights = kRightsStream; break;  // terminals, pipes, other devices
  }
  if (!readable) rights &= ~(kRightFdRead | kRightFdReaddir);
  if (!writable)
    rights &= ~(kRightFdWrite | kRightFdAllocate | kRightFdFilestatSetSize | kRightFdDatasync |
                kRightFdSync);
  return rights;
}

}  // namespace aperture::wasi
