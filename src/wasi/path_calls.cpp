// path_* functions. Every path is resolved beneath a preopened directory (ContextImpl),
// and each call needs its right on the directory descriptor (wasi/rights.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "wasi/calls.h"

namespace aperture::wasi {
namespace {

uint32_t from_negative(int r) { return static_cast<uint32_t>(-r); }

// The longest path a guest may pass (Linux's PATH_MAX); a longer one is refused unread.
constexpr uint32_t kMaxPathBytes = 4096;

// Reads the guest path at (ptr, len): kSuccess, kEnametoolong, or kEfault (bad pointer).
uint32_t guest_path(const GuestMemory& m, uint32_t ptr, uint32_t len, std::string* out) {
  if (len > kMaxPathBytes) return kEnametoolong;
  return m.string(ptr, len, out) ? kSuccess : kEfault;
}

// Runs `op(parent_fd, last_component)` beneath directory fd `dir`, which needs `right`.
template <typename Op>
uint32_t at_parent(ContextImpl& c, const GuestMemory& m, uint32_t dir, uint64_t right,
                   uint32_t ptr, uint32_t len, Op op) {
  uint32_t err = 0;
  if (!c.fd(dir, right, &err)) return err;
  std::string path, last;
  if (uint32_t e = guest_path(m, ptr, len, &path)) return e;
  int parent = c.open_parent(dir, path, &last);
  if (parent < 0) return from_negative(parent);
  int r = op(parent, last);
  err = errno;
  close(parent);
  return r == 0 ? kSuccess : errno_from_host(err);
}

// "/proc/self/fd/N": names what an O_PATH descriptor refers to, for the calls that take
// no descriptor of that kind (utimensat, linkat) without following anything again.
std::string proc_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

uint32_t path_open(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  uint32_t dir = u32(a, 0), dirflags = u32(a, 1), oflags = u32(a, 4), fdflags = u32(a, 7);
  // Bits that name no right are ignored (as in wasmtime): -1 asks for everything.
  uint64_t rights = u64(a, 5) & kRightsAll, inheriting = u64(a, 6) & kRightsAll;
  uint64_t needed = kRightPathOpen | ((oflags & kOflagCreat) ? kRightPathCreateFile : 0) |
                    ((oflags & kOflagTrunc) ? kRightPathFilestatSetSize : 0);
  uint32_t err = 0;
  FdEntry* d = c.fd(dir, needed, &err);
  if (!d) return err;
  // A descriptor gets at most what its directory lets descriptors opened through it have.
  if ((rights & ~d->rights_inheriting) || (inheriting & ~d->rights_inheriting)) return kEnotcapable;
  std::string path;
  if (uint32_t e = guest_path(m, u32(a, 2), u32(a, 3), &path)) return e;
  bool want_write = rights & (kRightFdWrite | kRightFdAllocate | kRightFdFilestatSetSize);
  bool want_read = rights & (kRightFdRead | kRightFdReaddir);
  // The access mode follows the rights also with O_DIRECTORY: a directory asked for with
  // a writing right is EISDIR (the kernel says so), as wasi-testsuite's path_open_preopen
  // expects, not a read-only descriptor.
  int flags = want_write ? (want_read ? O_RDWR : O_WRONLY) : O_RDONLY;
  if (oflags & kOflagDirectory) flags |= O_DIRECTORY;
  if (oflags & kOflagCreat) flags |= O_CREAT;
  if (oflags & kOflagExcl) flags |= O_EXCL;
  if (oflags & kOflagTrunc) flags |= O_TRUNC;
  if (fdflags & kFdflagAppend) flags |= O_APPEND;
  if (fdflags & kFdflagNonblock) flags |= O_NONBLOCK;
  if (fdflags & (kFdflagSync | kFdflagRsync)) flags |= O_SYNC;
  if (fdflags & kFdflagDsync) flags |= O_DSYNC;
  // A directory opened for writing or truncation fails with EISDIR (the kernel says so).
  int fd = c.open_beneath(dir, path, flags, 0666, dirflags & kLookupSymlinkFollow);
  if (fd < 0) return from_negative(fd);
  struct stat st;
  fstat(fd, &st);
  FileType type = file_type_of(st.st_mode);
  if (type == kDirectory && (oflags & kOflagTrunc)) {
    close(fd);
    return kEisdir;
  }
  // What the descriptor reports and allows: what was asked, as far as its type can do it
  // (a directory has no file rights, a file no directory rights).
  FdEntry e{fd, true, type, std::nullopt};
  int mode = flags & O_ACCMODE;
  e.rights_base = rights & rights_for(type, mode != O_WRONLY, mode != O_RDONLY);
  e.rights_inheriting = type == kDirectory ? inheriting : 0;
  uint32_t guest_fd = c.add_fd(e);
  if (!m.store(u32(a, 8), guest_fd)) {
    c.close_fd(guest_fd);
    return kEfault;
  }
  return kSuccess;
}

uint32_t path_create_directory(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  return at_parent(c, m, u32(a, 0), kRightPathCreateDirectory, u32(a, 1), u32(a, 2),
                   [](int p, const std::string& n) { return mkdirat(p, n.c_str(), 0777); });
}

uint32_t path_remove_directory(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  return at_parent(c, m, u32(a, 0), kRightPathRemoveDirectory, u32(a, 1), u32(a, 2),
                   [](int p, const std::string& n) { return unlinkat(p, n.c_str(), AT_REMOVEDIR); });
}

uint32_t path_unlink_file(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  return at_parent(c, m, u32(a, 0), kRightPathUnlinkFile, u32(a, 1), u32(a, 2),
                   [](int p, const std::string& n) { return unlinkat(p, n.c_str(), 0); });
}

uint32_t path_filestat_get(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  uint32_t err = 0;
  if (!c.fd(u32(a, 0), kRightPathFilestatGet, &err)) return err;
  bool follow = u32(a, 1) & kLookupSymlinkFollow;
  std::string path;
  if (uint32_t e = guest_path(m, u32(a, 2), u32(a, 3), &path)) return e;
  // O_PATH opens anything (files, directories, with O_NOFOLLOW the link itself) beneath
  // the preopen; a symlink that leads outside is refused by the resolver.
  int fd = c.open_beneath(u32(a, 0), path, O_PATH, 0, follow);
  if (fd < 0) return from_negative(fd);
  struct stat st;
  int r = fstat(fd, &st);
  err = errno;
  close(fd);
  if (r != 0) return errno_from_host(err);
  return store_filestat(m, u32(a, 4), st) ? kSuccess : kEfault;
}

uint32_t path_filestat_set_times(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  uint32_t err = 0;
  if (!c.fd(u32(a, 0), kRightPathFilestatSetTimes, &err)) return err;
  struct timespec times[2];
  if (!file_times(u64(a, 4), u64(a, 5), u32(a, 6), times)) return kEinval;
  bool follow = u32(a, 1) & kLookupSymlinkFollow;
  std::string path;
  if (uint32_t e = guest_path(m, u32(a, 2), u32(a, 3), &path)) return e;
  int fd = c.open_beneath(u32(a, 0), path, O_PATH, 0, follow);
  if (fd < 0) return from_negative(fd);
  int r = utimensat(AT_FDCWD, proc_path(fd).c_str(), times, 0);
  // The proc link of a symbolic link itself cannot be followed to set its times: use
  // the link's parent and AT_SYMLINK_NOFOLLOW.
  struct stat st;
  if (r != 0 && !follow && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
    close(fd);
    return at_parent(c, m, u32(a, 0), kRightPathFilestatSetTimes, u32(a, 2), u32(a, 3),
                     [&](int p, const std::string& n) {
                       return utimensat(p, n.c_str(), times, AT_SYMLINK_NOFOLLOW);
                     });
  }
  err = errno;
  close(fd);
  return r == 0 ? kSuccess : errno_from_host(err);
}

uint32_t path_readlink(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  uint32_t buf = u32(a, 3), buf_len = u32(a, 4);
  uint8_t* out = m.syscall_buffer(buf, buf_len, true);
  if (!out) return kEfault;
  ssize_t n = 0;
  uint32_t r = at_parent(c, m, u32(a, 0), kRightPathReadlink, u32(a, 1), u32(a, 2),
                         [&](int p, const std::string& name) {
                           n = readlinkat(p, name.c_str(), reinterpret_cast<char*>(out), buf_len);
                           return n < 0 ? -1 : 0;
                         });
  if (r != kSuccess) return r;
  return m.store(u32(a, 5), static_cast<uint32_t>(n)) ? kSuccess : kEfault;
}

uint32_t path_symlink(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  std::string target;
  if (uint32_t e = guest_path(m, u32(a, 0), u32(a, 1), &target)) return e;
  // Absolute targets could only ever point outside the sandbox.
  if (!target.empty() && target[0] == '/') return kEnotcapable;
  return at_parent(c, m, u32(a, 2), kRightPathSymlink, u32(a, 3), u32(a, 4),
                   [&](int p, const std::string& n) { return symlinkat(target.c_str(), p, n.c_str()); });
}

// Two paths beneath two directories: rename and link. `op(old_parent, old_last,
// new_parent, new_last)`.
template <typename Op>
uint32_t two_paths(ContextImpl& c, const GuestMemory& m, uint32_t old_dir, uint64_t old_right,
                   uint32_t old_ptr, uint32_t old_len, uint32_t new_dir, uint64_t new_right,
                   uint32_t new_ptr, uint32_t new_len, Op op) {
  uint32_t err = 0;
  if (!c.fd(old_dir, old_right, &err) || !c.fd(new_dir, new_right, &err)) return err;
  std::string old_path, new_path, old_last, new_last;
  if (uint32_t e = guest_path(m, old_ptr, old_len, &old_path)) return e;
  if (uint32_t e = guest_path(m, new_ptr, new_len, &new_path)) return e;
  int old_parent = c.open_parent(old_dir, old_path, &old_last);
  if (old_parent < 0) return from_negative(old_parent);
  int new_parent = c.open_parent(new_dir, new_path, &new_last);
  if (new_parent < 0) {
    close(old_parent);
    return from_negative(new_parent);
  }
  int r = op(old_parent, old_last, new_parent, new_last);
  err = errno;
  close(old_parent);
  close(new_parent);
  return r == 0 ? kSuccess : errno_from_host(err);
}

uint32_t path_rename(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  return two_paths(c, m, u32(a, 0), kRightPathRenameSource, u32(a, 1), u32(a, 2), u32(a, 3),
                   kRightPathRenameTarget, u32(a, 4), u32(a, 5),
                   [](int op, const std::string& ol, int np, const std::string& nl) {
                     return renameat(op, ol.c_str(), np, nl.c_str());
                   });
}

// path_link(old_fd, old_flags, old_path, old_len, new_fd, new_path, new_len)
uint32_t path_link(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  bool follow = u32(a, 1) & kLookupSymlinkFollow;
  if (!follow) {
    return two_paths(c, m, u32(a, 0), kRightPathLinkSource, u32(a, 2), u32(a, 3), u32(a, 4),
                     kRightPathLinkTarget, u32(a, 5), u32(a, 6),
                     [](int op, const std::string& ol, int np, const std::string& nl) {
                       return linkat(op, ol.c_str(), np, nl.c_str(), 0);
                     });
  }
  // Following a symlink: resolve the source beneath its preopen first, then link what it
  // names through /proc (so a link leading outside is refused, never followed).
  uint32_t err = 0;
  if (!c.fd(u32(a, 0), kRightPathLinkSource, &err)) return err;
  std::string old_path;
  if (uint32_t e = guest_path(m, u32(a, 2), u32(a, 3), &old_path)) return e;
  int src = c.open_beneath(u32(a, 0), old_path, O_PATH, 0, true);
  if (src < 0) return from_negative(src);
  std::string from = proc_path(src);
  uint32_t r = at_parent(c, m, u32(a, 4), kRightPathLinkTarget, u32(a, 5), u32(a, 6),
                         [&](int p, const std::string& n) {
                           return linkat(AT_FDCWD, from.c_str(), p, n.c_str(), AT_SYMLINK_FOLLOW);
                         });
  close(src);
  return r;
}

}  // namespace

std::vector<CallDef> path_calls() {
  return {
      {"path_open", "iiiiiIIii", true, path_open},
      {"path_create_directory", "iii", true, path_create_directory},
      {"path_remove_directory", "iii", true, path_remove_directory},
      {"path_unlink_file", "iii", true, path_unlink_file},
      {"path_filestat_get", "iiiii", true, path_filestat_get},
      {"path_filestat_set_times", "iiiiIIi", true, path_filestat_set_times},
      {"path_readlink", "iiiiii", true, path_readlink},
      {"path_symlink", "iiiii", true, path_symlink},
      {"path_rename", "iiiiii", true, path_rename},
      {"path_link", "iiiiiii", true, path_link},
  };
}

}  // namespace aperture::wasi
