// path_* functions. Every path is resolved beneath a preopened directory (ContextImpl).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "wasi/calls.h"

namespace aperture::wasi {
namespace {

uint32_t from_negative(int r) { return static_cast<uint32_t>(-r); }

// Reads the guest path at (ptr, len); false on a bad pointer.
bool guest_path(const GuestMemory& m, uint32_t ptr, uint32_t len, std::string* out) {
  return len <= 4096 && m.string(ptr, len, out);
}

// Runs `op(parent_fd, last_component)` beneath directory fd `dir`.
template <typename Op>
uint32_t at_parent(ContextImpl& c, const GuestMemory& m, uint32_t dir, uint32_t ptr,
                   uint32_t len, Op op) {
  std::string path, last;
  if (!guest_path(m, ptr, len, &path)) return kEfault;
  int parent = c.open_parent(dir, path, &last);
  if (parent < 0) return from_negative(parent);
  int r = op(parent, last);
  int err = errno;
  close(parent);
  return r == 0 ? kSuccess : errno_from_host(err);
}

uint32_t path_open(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  uint32_t dir = u32(a, 0), dirflags = u32(a, 1), oflags = u32(a, 4), fdflags = u32(a, 7);
  uint64_t rights = u64(a, 5);
  std::string path;
  if (!guest_path(m, u32(a, 2), u32(a, 3), &path)) return kEfault;
  bool want_write = rights & (kRightFdWrite | kRightFdAllocate | kRightFdFilestatSetSize);
  bool want_read = rights & kRightFdRead;
  int flags = 0;
  if (oflags & kOflagDirectory) flags = O_RDONLY | O_DIRECTORY;
  else if (want_write) flags = want_read ? O_RDWR : O_WRONLY;
  else flags = O_RDONLY;
  if (oflags & kOflagCreat) flags |= O_CREAT;
  if (oflags & kOflagExcl) flags |= O_EXCL;
  if (oflags & kOflagTrunc) flags |= O_TRUNC;
  if (fdflags & kFdflagAppend) flags |= O_APPEND;
  if (fdflags & kFdflagNonblock) flags |= O_NONBLOCK;
  if (fdflags & (kFdflagSync | kFdflagRsync)) flags |= O_SYNC;
  if (fdflags & kFdflagDsync) flags |= O_DSYNC;
  int fd = c.open_beneath(dir, path, flags, 0666, dirflags & kLookupSymlinkFollow);
  // A directory opened read-write by a generic open(): retry read-only, like wasmtime.
  if (fd == -static_cast<int>(kEisdir) && !(oflags & (kOflagCreat | kOflagTrunc)))
    fd = c.open_beneath(dir, path, O_RDONLY | O_DIRECTORY, 0, dirflags & kLookupSymlinkFollow);
  if (fd < 0) return from_negative(fd);
  struct stat st;
  fstat(fd, &st);
  uint32_t guest_fd = c.add_fd(FdEntry{fd, true, file_type_of(st.st_mode), std::nullopt});
  if (!m.store(u32(a, 8), guest_fd)) {
    c.close_fd(guest_fd);
    return kEfault;
  }
  return kSuccess;
}

uint32_t path_create_directory(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  return at_parent(c, m, u32(a, 0), u32(a, 1), u32(a, 2),
                   [](int p, const std::string& n) { return mkdirat(p, n.c_str(), 0777); });
}

uint32_t path_remove_directory(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  return at_parent(c, m, u32(a, 0), u32(a, 1), u32(a, 2),
                   [](int p, const std::string& n) { return unlinkat(p, n.c_str(), AT_REMOVEDIR); });
}

uint32_t path_unlink_file(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  return at_parent(c, m, u32(a, 0), u32(a, 1), u32(a, 2),
                   [](int p, const std::string& n) { return unlinkat(p, n.c_str(), 0); });
}

uint32_t path_filestat_get(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  bool follow = u32(a, 1) & kLookupSymlinkFollow;
  std::string path;
  if (!guest_path(m, u32(a, 2), u32(a, 3), &path)) return kEfault;
  // O_PATH opens anything (files, directories, with O_NOFOLLOW the link itself) beneath
  // the preopen; a symlink that leads outside is refused by the resolver.
  int fd = c.open_beneath(u32(a, 0), path, O_PATH, 0, follow);
  if (fd < 0) return from_negative(fd);
  struct stat st;
  int r = fstat(fd, &st);
  int err = errno;
  close(fd);
  if (r != 0) return errno_from_host(err);
  return store_filestat(m, u32(a, 4), st) ? kSuccess : kEfault;
}

uint32_t path_readlink(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  uint32_t buf = u32(a, 3), buf_len = u32(a, 4);
  uint8_t* out = m.syscall_buffer(buf, buf_len, true);
  if (!out) return kEfault;
  ssize_t n = 0;
  uint32_t r = at_parent(c, m, u32(a, 0), u32(a, 1), u32(a, 2), [&](int p, const std::string& name) {
    n = readlinkat(p, name.c_str(), reinterpret_cast<char*>(out), buf_len);
    return n < 0 ? -1 : 0;
  });
  if (r != kSuccess) return r;
  return m.store(u32(a, 5), static_cast<uint32_t>(n)) ? kSuccess : kEfault;
}

uint32_t path_symlink(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  std::string target;
  if (!guest_path(m, u32(a, 0), u32(a, 1), &target)) return kEfault;
  // Absolute targets could only ever point outside the sandbox.
  if (!target.empty() && target[0] == '/') return kEnotcapable;
  return at_parent(c, m, u32(a, 2), u32(a, 3), u32(a, 4), [&](int p, const std::string& n) {
    return symlinkat(target.c_str(), p, n.c_str());
  });
}

uint32_t path_rename(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  std::string old_path, new_path, old_last, new_last;
  if (!guest_path(m, u32(a, 1), u32(a, 2), &old_path) ||
      !guest_path(m, u32(a, 4), u32(a, 5), &new_path))
    return kEfault;
  int old_parent = c.open_parent(u32(a, 0), old_path, &old_last);
  if (old_parent < 0) return from_negative(old_parent);
  int new_parent = c.open_parent(u32(a, 3), new_path, &new_last);
  if (new_parent < 0) {
    close(old_parent);
    return from_negative(new_parent);
  }
  int r = renameat(old_parent, old_last.c_str(), new_parent, new_last.c_str());
  int err = errno;
  close(old_parent);
  close(new_parent);
  return r == 0 ? kSuccess : errno_from_host(err);
}

}  // namespace

std::vector<CallDef> path_calls() {
  return {
      {"path_open", "iiiiiIIii", true, path_open},
      {"path_create_directory", "iii", true, path_create_directory},
      {"path_remove_directory", "iii", true, path_remove_directory},
      {"path_unlink_file", "iii", true, path_unlink_file},
      {"path_filestat_get", "iiiii", true, path_filestat_get},
      {"path_readlink", "iiiiii", true, path_readlink},
      {"path_symlink", "iiiii", true, path_symlink},
      {"path_rename", "iiiiii", true, path_rename},
  };
}

}  // namespace aperture::wasi
