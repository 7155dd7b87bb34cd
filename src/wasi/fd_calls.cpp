// fd_* functions: reading, writing, seeking and inspecting open descriptors.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>
#include <string>

#include "wasi/calls.h"

namespace aperture::wasi {
namespace {

uint32_t host_error() { return errno_from_host(errno); }

uint32_t transfer(ContextImpl& ctx, const GuestMemory& mem, const uint64_t* a, bool is_read,
                  std::optional<uint64_t> offset, int result_arg) {
  // The table lock covers the lookup only: a read from a pipe may block for long, and
  // other threads' WASI calls must go on meanwhile. The call holds the descriptor (HostFd),
  // so a concurrent fd_close cannot hand its number to another open meanwhile.
  std::shared_ptr<const HostFd> held;
  {
    std::lock_guard<std::mutex> lock(ctx.table_mutex());
    uint32_t err = 0;
    uint64_t right = static_cast<uint64_t>(is_read ? kRightFdRead : kRightFdWrite) |
                     (offset ? static_cast<uint64_t>(kRightFdSeek) : 0);
    FdEntry* e = ctx.fd(u32(a, 0), right, &err);
    if (!e) return err;
    if (e->type == kDirectory) return kEisdir;
    held = e->holder;
  }
  const int host_fd = held->get();
  std::vector<iovec> iov;
  if (uint32_t err = gather_iovecs(mem, u32(a, 1), u32(a, 2), is_read, &iov)) return err;
  ssize_t n;
  if (offset) {
    n = is_read ? preadv(host_fd, iov.data(), static_cast<int>(iov.size()), static_cast<off_t>(*offset))
                : pwritev(host_fd, iov.data(), static_cast<int>(iov.size()), static_cast<off_t>(*offset));
  } else {
    n = is_read ? readv(host_fd, iov.data(), static_cast<int>(iov.size()))
                : writev(host_fd, iov.data(), static_cast<int>(iov.size()));
  }
  if (n < 0) return host_error();
  return mem.store(u32(a, result_arg), static_cast<uint32_t>(n)) ? kSuccess : kEfault;
}

uint32_t fd_read(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  return transfer(c, m, a, true, std::nullopt, 3);
}
uint32_t fd_write(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  return transfer(c, m, a, false, std::nullopt, 3);
}
uint32_t fd_pread(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  return transfer(c, m, a, true, u64(a, 3), 4);
}
uint32_t fd_pwrite(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  return transfer(c, m, a, false, u64(a, 3), 4);
}

uint32_t fd_seek(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  FdEntry* d = c.fd(u32(a, 0));
  if (d && d->type == kDirectory) return kEbadf;  // a directory has no byte offset (spec)
  // fd_seek(fd, 0, SEEK_CUR) is what tell() does: it needs only FD_TELL.
  bool tell_only = u64(a, 1) == 0 && u32(a, 2) == 1;
  uint32_t err = 0;
  FdEntry* e = c.fd(u32(a, 0), tell_only ? kRightFdTell : kRightFdSeek, &err);
  if (!e) return err;
  int whence;
  switch (u32(a, 2)) {
    case 0: whence = SEEK_SET; break;
    case 1: whence = SEEK_CUR; break;
    case 2: whence = SEEK_END; break;
    default: return kEinval;
  }
  off_t r = lseek(e->host_fd, static_cast<off_t>(u64(a, 1)), whence);
  if (r < 0) return host_error();
  return m.store(u32(a, 3), static_cast<uint64_t>(r)) ? kSuccess : kEfault;
}

uint32_t fd_tell(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  FdEntry* d = c.fd(u32(a, 0));
  if (d && d->type == kDirectory) return kEbadf;
  uint32_t err = 0;
  FdEntry* e = c.fd(u32(a, 0), kRightFdTell, &err);
  if (!e) return err;
  off_t r = lseek(e->host_fd, 0, SEEK_CUR);
  if (r < 0) return host_error();
  return m.store(u32(a, 1), static_cast<uint64_t>(r)) ? kSuccess : kEfault;
}

uint32_t fd_close(ContextImpl& c, const GuestMemory&, const uint64_t* a) { return c.close_fd(u32(a, 0)); }

uint32_t fd_sync(ContextImpl& c, const GuestMemory&, const uint64_t* a) {
  uint32_t err = 0;
  FdEntry* e = c.fd(u32(a, 0), kRightFdSync, &err);
  if (!e) return err;
  return fsync(e->host_fd) == 0 ? kSuccess : host_error();
}
uint32_t fd_datasync(ContextImpl& c, const GuestMemory&, const uint64_t* a) {
  uint32_t err = 0;
  FdEntry* e = c.fd(u32(a, 0), kRightFdDatasync, &err);
  if (!e) return err;
  return fdatasync(e->host_fd) == 0 ? kSuccess : host_error();
}

uint32_t fd_fdstat_get(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  FdEntry* e = c.fd(u32(a, 0));
  if (!e) return kEbadf;
  int fl = fcntl(e->host_fd, F_GETFL);
  uint16_t flags = 0;
  if (fl >= 0) {
    if (fl & O_APPEND) flags |= kFdflagAppend;
    if (fl & O_NONBLOCK) flags |= kFdflagNonblock;
    if (fl & O_SYNC) flags |= kFdflagSync;
    if (fl & O_DSYNC) flags |= kFdflagDsync;
  }
  uint8_t stat[24] = {};
  stat[0] = e->type;
  std::memcpy(stat + 2, &flags, 2);
  std::memcpy(stat + 8, &e->rights_base, 8);
  std::memcpy(stat + 16, &e->rights_inheriting, 8);
  return m.write(u32(a, 1), stat, sizeof stat) ? kSuccess : kEfault;
}

uint32_t fd_fdstat_set_flags(ContextImpl& c, const GuestMemory&, const uint64_t* a) {
  uint32_t err = 0;
  FdEntry* e = c.fd(u32(a, 0), kRightFdFdstatSetFlags, &err);
  if (!e) return err;
  uint32_t f = u32(a, 1);
  int fl = fcntl(e->host_fd, F_GETFL);
  if (fl < 0) return host_error();
  fl &= ~(O_APPEND | O_NONBLOCK);
  if (f & kFdflagAppend) fl |= O_APPEND;
  if (f & kFdflagNonblock) fl |= O_NONBLOCK;
  return fcntl(e->host_fd, F_SETFL, fl) == 0 ? kSuccess : host_error();
}

}  // namespace

// Writes a WASI filestat (64 bytes) for `st` at guest address `addr`.
uint32_t gather_iovecs(const GuestMemory& mem, uint32_t iovs, uint32_t count, bool write,
                       std::vector<iovec>* out) {
  if (count > IOV_MAX) return kEinval;  // what readv/writev answer
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t buf = 0, len = 0;
    if (!mem.load(iovs + 8ull * i, &buf) || !mem.load(iovs + 8ull * i + 4, &len)) return kEfault;
    uint8_t* p = mem.syscall_buffer(buf, len, write);
    if (!p) return kEfault;
    out->push_back(iovec{p, len});
  }
  return kSuccess;
}

bool store_filestat(const GuestMemory& m, uint32_t addr, const struct ::stat& st) {
  uint64_t fields[8] = {
      static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino), file_type_of(st.st_mode),
      static_cast<uint64_t>(st.st_nlink), static_cast<uint64_t>(st.st_size),
      static_cast<uint64_t>(st.st_atim.tv_sec) * 1000000000ull + st.st_atim.tv_nsec,
      static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000ull + st.st_mtim.tv_nsec,
      static_cast<uint64_t>(st.st_ctim.tv_sec) * 1000000000ull + st.st_ctim.tv_nsec};
  uint8_t stat[64];
  std::memcpy(stat, fields, 64);
  stat[16] = static_cast<uint8_t>(fields[2]);  // filetype is a u8 followed by padding
  std::memset(stat + 17, 0, 7);
  return m.write(addr, stat, sizeof stat);
}

namespace {

uint32_t fd_filestat_get(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  uint32_t err = 0;
  FdEntry* e = c.fd(u32(a, 0), kRightFdFilestatGet, &err);
  if (!e) return err;
  struct stat st;
  if (fstat(e->host_fd, &st) != 0) return host_error();
  return store_filestat(m, u32(a, 1), st) ? kSuccess : kEfault;
}

uint32_t fd_filestat_set_size(ContextImpl& c, const GuestMemory&, const uint64_t* a) {
  uint32_t err = 0;
  FdEntry* e = c.fd(u32(a, 0), kRightFdFilestatSetSize, &err);
  if (!e) return err;
  return ftruncate(e->host_fd, static_cast<off_t>(u64(a, 1))) == 0 ? kSuccess : host_error();
}

uint32_t fd_prestat_get(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  FdEntry* e = c.fd(u32(a, 0));
  if (!e || !e->preopen_name) return kEbadf;
  uint8_t prestat[8] = {};  // tag 0 (directory), then the name length
  uint32_t len = static_cast<uint32_t>(e->preopen_name->size());
  std::memcpy(prestat + 4, &len, 4);
  return m.write(u32(a, 1), prestat, sizeof prestat) ? kSuccess : kEfault;
}

uint32_t fd_prestat_dir_name(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  FdEntry* e = c.fd(u32(a, 0));
  if (!e || !e->preopen_name) return kEbadf;
  const std::string& name = *e->preopen_name;
  if (u32(a, 2) < name.size()) return kEnametoolong;
  return m.write(u32(a, 1), name.data(), name.size()) ? kSuccess : kEfault;
}

uint32_t fd_renumber(ContextImpl& c, const GuestMemory&, const uint64_t* a) {
  return c.renumber(u32(a, 0), u32(a, 1));
}

// Directory entries are numbered in readdir order; the cookie is the index of the next.
uint32_t fd_readdir(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  uint32_t err = 0;
  FdEntry* e = c.fd(u32(a, 0), kRightFdReaddir, &err);
  if (!e) return err;
  uint32_t buf = u32(a, 1), buf_len = u32(a, 2);
  uint64_t cookie = u64(a, 3);
  if (!m.accessible(buf, buf_len, true)) return kEfault;
  std::vector<uint8_t> out;  // written to the guest at once; grows only with real entries
  int dup_fd = openat(e->host_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup_fd < 0) return host_error();
  DIR* dir = fdopendir(dup_fd);
  if (!dir) {
    close(dup_fd);
    return host_error();
  }
  uint64_t index = 0;
  while (dirent* d = readdir(dir)) {
    if (index++ < cookie) continue;
    uint8_t header[24] = {};
    uint64_t next = index, ino = d->d_ino;
    uint32_t namlen = static_cast<uint32_t>(std::strlen(d->d_name));
    uint8_t type = kUnknown;
    switch (d->d_type) {
      case DT_REG: type = kRegularFile; break;
      case DT_DIR: type = kDirectory; break;
      case DT_LNK: type = kSymbolicLink; break;
      case DT_CHR: type = kCharacterDevice; break;
      case DT_BLK: type = kBlockDevice; break;
      case DT_SOCK: type = kSocketStream; break;
      default: break;
    }
    std::memcpy(header, &next, 8);
    std::memcpy(header + 8, &ino, 8);
    std::memcpy(header + 16, &namlen, 4);
    header[20] = type;
    // Entries that do not fit are truncated; a full buffer tells the guest to call again.
    for (uint32_t k = 0; k < 24 && out.size() < buf_len; ++k) out.push_back(header[k]);
    for (uint32_t k = 0; k < namlen && out.size() < buf_len; ++k)
      out.push_back(static_cast<uint8_t>(d->d_name[k]));
    if (out.size() >= buf_len) break;
  }
  closedir(dir);
  if (!m.write(buf, out.data(), out.size())) return kEfault;
  return m.store(u32(a, 4), static_cast<uint32_t>(out.size())) ? kSuccess : kEfault;
}

uint32_t fd_fdstat_set_rights(ContextImpl& c, const GuestMemory&, const uint64_t* a) {
  FdEntry* e = c.fd(u32(a, 0));
  if (!e) return kEbadf;
  uint64_t base = u64(a, 1), inheriting = u64(a, 2);
  // Rights can only be dropped, never gained.
  if ((base & ~e->rights_base) || (inheriting & ~e->rights_inheriting)) return kEnotcapable;
  e->rights_base = base;
  e->rights_inheriting = inheriting;
  return kSuccess;
}

uint32_t fd_advise(ContextImpl& c, const GuestMemory&, const uint64_t* a) {
  uint32_t err = 0;
  FdEntry* e = c.fd(u32(a, 0), kRightFdAdvise, &err);
  if (!e) return err;
  static const int kAdvice[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  uint32_t advice = u32(a, 3);
  if (advice >= 6) return kEinval;
  if (e->type == kDirectory) return kEbadf;
  int r = posix_fadvise(e->host_fd, static_cast<off_t>(u64(a, 1)), static_cast<off_t>(u64(a, 2)),
                        kAdvice[advice]);
  return errno_from_host(r);
}

uint32_t fd_allocate(ContextImpl& c, const GuestMemory&, const uint64_t* a) {
  uint32_t err = 0;
  FdEntry* e = c.fd(u32(a, 0), kRightFdAllocate, &err);
  if (!e) return err;
  if (e->type == kDirectory) return kEbadf;
  uint64_t offset = u64(a, 1), len = u64(a, 2);
  if (offset > INT64_MAX || len > INT64_MAX) return kEinval;
  int r = posix_fallocate(e->host_fd, static_cast<off_t>(offset), static_cast<off_t>(len));
  return errno_from_host(r);
}

}  // namespace

// atim/mtim with fst_flags (ATIM 1, ATIM_NOW 2, MTIM 4, MTIM_NOW 8) -> utimensat times;
// false when a time is both given and "now" (EINVAL).
bool file_times(uint64_t atim, uint64_t mtim, uint32_t flags, struct timespec out[2]) {
  if (flags & ~15u) return false;
  if ((flags & 1) && (flags & 2)) return false;
  if ((flags & 4) && (flags & 8)) return false;
  auto one = [](uint64_t ns, bool set, bool now, struct timespec* t) {
    if (now) {
      t->tv_sec = 0;
      t->tv_nsec = UTIME_NOW;
    } else if (set) {
      t->tv_sec = static_cast<time_t>(ns / 1000000000ull);
      t->tv_nsec = static_cast<long>(ns % 1000000000ull);
    } else {
      t->tv_sec = 0;
      t->tv_nsec = UTIME_OMIT;
    }
  };
  one(atim, flags & 1, flags & 2, &out[0]);
  one(mtim, flags & 4, flags & 8, &out[1]);
  return true;
}

namespace {

uint32_t fd_filestat_set_times(ContextImpl& c, const GuestMemory&, const uint64_t* a) {
  uint32_t err = 0;
  FdEntry* e = c.fd(u32(a, 0), kRightFdFilestatSetTimes, &err);
  if (!e) return err;
  struct timespec times[2];
  if (!file_times(u64(a, 1), u64(a, 2), u32(a, 3), times)) return kEinval;
  return futimens(e->host_fd, times) == 0 ? kSuccess : host_error();
}

}  // namespace

std::vector<CallDef> fd_calls() {
  return {
      {"fd_read", "iiii", true, fd_read},
      {"fd_write", "iiii", true, fd_write},
      {"fd_pread", "iiiIi", true, fd_pread},
      {"fd_pwrite", "iiiIi", true, fd_pwrite},
      {"fd_seek", "iIii", true, fd_seek},
      {"fd_tell", "ii", true, fd_tell},
      {"fd_close", "i", true, fd_close},
      {"fd_sync", "i", true, fd_sync},
      {"fd_datasync", "i", true, fd_datasync},
      {"fd_fdstat_get", "ii", true, fd_fdstat_get},
      {"fd_fdstat_set_flags", "ii", true, fd_fdstat_set_flags},
      {"fd_filestat_get", "ii", true, fd_filestat_get},
      {"fd_filestat_set_size", "iI", true, fd_filestat_set_size},
      {"fd_prestat_get", "ii", true, fd_prestat_get},
      {"fd_prestat_dir_name", "iii", true, fd_prestat_dir_name},
      {"fd_readdir", "iiiIi", true, fd_readdir},
      {"fd_renumber", "ii", true, fd_renumber},
      {"fd_fdstat_set_rights", "iII", true, fd_fdstat_set_rights},
      {"fd_advise", "iIIi", true, fd_advise},
      {"fd_allocate", "iII", true, fd_allocate},
      {"fd_filestat_set_times", "iIIi", true, fd_filestat_set_times},
  };
}

}  // namespace aperture::wasi
