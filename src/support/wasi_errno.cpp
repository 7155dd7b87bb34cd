#include <cerrno>

#include "support/wasi_errno.h"

namespace aperture::wasi {

uint32_t errno_from_host(int err) {
  switch (err) {
    case 0: return kSuccess;
    case E2BIG: return kE2big;
    case EACCES: return kEacces;
    case EAGAIN: return kEagain;
    case EBADF: return kEbadf;
    case EBUSY: return kEbusy;
    case EEXIST: return kEexist;
    case EFAULT: return kEfault;
    case EFBIG: return kEfbig;
    case EINVAL: return kEinval;
    case EIO: return kEio;
    case EISDIR: return kEisdir;
    case ELOOP: return kEloop;
    case EMFILE: return kEmfile;
    case EMLINK: return kEmlink;
    case ENAMETOOLONG: return kEnametoolong;
    case ENOENT: return kEnoent;
    case ENOMEM: return kEnomem;
    case ENOSPC: return kEnospc;
    case ENOSYS: return kEnosys;
    case ENOTDIR: return kEnotdir;
    case ENOTEMPTY: return kEnotempty;
    case ENOTSUP: return kEnotsup;
    case EOVERFLOW: return kEoverflow;
    case EPERM: return kEperm;
    case EPIPE: return kEpipe;
    case ERANGE: return kErange;
    case ESPIPE: return kEspipe;
    case ENOTSOCK: return kEnotsock;
    case ENOTCONN: return kEnotconn;
    case ECONNRESET: return kEconnreset;
    case ECONNABORTED: return kEconnaborted;
    case ECONNREFUSED: return kEconnrefused;
    case EINTR: return kEintr;
    case ESRCH: return 71;  // ESRCH
    case ETXTBSY: return 74;
    case EROFS: return 69;
    case EDQUOT: return 19;
    case EXDEV: return kEnotcapable;  // openat2(RESOLVE_BENEATH) refuses an escape with EXDEV
    default: return kEio;
  }
}

}  // namespace aperture::wasi
