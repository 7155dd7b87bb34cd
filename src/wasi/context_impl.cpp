#include "wasi/context_impl.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "aperture/error.h"

namespace aperture::wasi {

FileType file_type_of(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return kRegularFile;
    case S_IFDIR: return kDirectory;
    case S_IFCHR: return kCharacterDevice;
    case S_IFBLK: return kBlockDevice;
    case S_IFLNK: return kSymbolicLink;
    case S_IFSOCK: return kSocketStream;
    default: return kUnknown;
  }
}

namespace {

FileType host_fd_type(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return kUnknown;
  return file_type_of(st.st_mode);
}

// A descriptor the host passes in: its rights follow its type and access mode.
FdEntry host_entry(int fd) {
  FdEntry e{fd, false, host_fd_type(fd), std::nullopt};
  int mode = fcntl(fd, F_GETFL);
  bool readable = mode >= 0 && (mode & O_ACCMODE) != O_WRONLY;
  bool writable = mode >= 0 && (mode & O_ACCMODE) != O_RDONLY;
  e.rights_base = rights_for(e.type, readable, writable);
  return e;
}

// The table's hold on an entry's descriptor.
FdEntry held(FdEntry e) {
  if (!e.holder) e.holder = std::make_shared<const HostFd>(e.host_fd, e.owned);
  return e;
}

}  // namespace

HostFd::~HostFd() {
  if (owned_) close(fd_);
}

ContextImpl::ContextImpl(Config config) : config_(std::move(config)) {
  int stdio[3] = {config_.stdin_fd, config_.stdout_fd, config_.stderr_fd};
  for (int fd : stdio) fds_.push_back(held(host_entry(fd)));
  for (const Preopen& p : config_.preopens) {
    int fd = open(p.host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
      throw Error("cannot preopen directory '" + p.host_path + "': " + std::strerror(errno));
    // Beneath a preopen the guest may do anything the type of what it opens allows.
    fds_.push_back(held(FdEntry{fd, true, kDirectory, p.guest_path, kRightsDirectory, kRightsAll}));
  }
  for (int fd : config_.listen_fds) fds_.push_back(held(host_entry(fd)));
}

ContextImpl::~ContextImpl() = default;  // each HostFd closes its descriptor

FdEntry* ContextImpl::fd(uint32_t guest_fd) {
  if (guest_fd >= fds_.size() || !fds_[guest_fd]) return nullptr;
  return &*fds_[guest_fd];
}

FdEntry* ContextImpl::fd(uint32_t guest_fd, uint64_t rights, uint32_t* err) {
  FdEntry* e = fd(guest_fd);
  if (!e) {
    *err = kEbadf;
    return nullptr;
  }
  if ((e->rights_base & rights) != rights) {
    *err = kEnotcapable;
    return nullptr;
  }
  return e;
}

uint32_t ContextImpl::add_fd(FdEntry e) {
  e = held(std::move(e));
  for (uint32_t i = 0; i < fds_.size(); ++i) {
    if (!fds_[i]) {
      fds_[i] = std::move(e);
      return i;
    }
  }
  fds_.push_back(std::move(e));
  return static_cast<uint32_t>(fds_.size() - 1);
}

uint32_t ContextImpl::close_fd(uint32_t guest_fd) {
  FdEntry* e = fd(guest_fd);
  if (!e) return kEbadf;
  fds_[guest_fd].reset();  // closes the descriptor unless a call still uses it
  return kSuccess;
}

uint32_t ContextImpl::renumber(uint32_t from, uint32_t to) {
  if (!fd(from) || !fd(to)) return kEbadf;
  if (from == to) return kSuccess;
  close_fd(to);
  fds_[to] = std::move(fds_[from]);
  fds_[from].reset();
  return kSuccess;
}

int ContextImpl::open_beneath(uint32_t dir, const std::string& path, int flags, int mode,
                              bool follow) {
  FdEntry* d = fd(dir);
  if (!d) return -static_cast<int>(kEbadf);
  if (d->type != kDirectory) return -static_cast<int>(kEnotdir);
  if (path.find('\0') != std::string::npos) return -static_cast<int>(kEinval);
  if (!path.empty() && path[0] == '/') return -static_cast<int>(kEnotcapable);
  open_how how{};
  how.flags = static_cast<uint64_t>(flags) | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);
  how.mode = (flags & O_CREAT) ? static_cast<uint64_t>(mode) : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  const char* p = path.empty() ? "." : path.c_str();
  long fd = syscall(SYS_openat2, d->host_fd, p, &how, sizeof how);
  if (fd < 0) {
    // ENOSYS: a kernel without openat2 (< 5.6). We refuse rather than resolve unsafely.
    return -static_cast<int>(errno_from_host(errno == ENOSYS ? EXDEV : errno));
  }
  return static_cast<int>(fd);
}

int ContextImpl::open_parent(uint32_t dir, const std::string& path, std::string* last) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();  // "a/b/" splits as "a" + "b/"
  size_t slash = p.rfind('/');
  std::string parent = slash == std::string::npos ? "." : p.substr(0, slash);
  std::string name = slash == std::string::npos ? p : p.substr(slash + 1);
  *last = path.substr(slash == std::string::npos ? 0 : slash + 1);  // with its trailing slashes
  if (parent.empty()) return -static_cast<int>(kEnotcapable);  // "/x": absolute
  if (name.empty() || name == "." || name == "..") return -static_cast<int>(kEinval);
  return open_beneath(dir, parent, O_PATH | O_DIRECTORY, 0, true);
}

}  // namespace aperture::wasi
