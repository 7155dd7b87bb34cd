// State of one WASI context: configuration, the guest's file descriptor table, and
// sandboxed path resolution beneath preopened directories.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aperture/wasi.h"
#include "wasi/rights.h"
#include "wasi/wasi_types.h"

namespace aperture::wasi {

// A host descriptor that is closed (when owned) only once the last holder lets it go.
// The fd table holds one reference, and so does every WASI call that uses the descriptor
// after releasing the table lock (fd_read/fd_write, sock_*: they may block): an fd_close
// or fd_renumber in another thread then cannot free the number for reuse (by the next
// open, or by the runtime's own region fds) under a call that is about to use it.
class HostFd {
 public:
  HostFd(int fd, bool owned) : fd_(fd), owned_(owned) {}
  ~HostFd();
  HostFd(const HostFd&) = delete;
  HostFd& operator=(const HostFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
  bool owned_;
};

struct FdEntry {
  int host_fd = -1;                  // valid while the entry is in the table
  bool owned = true;                 // closed by us (stdio is not)
  FileType type = kUnknown;
  std::optional<std::string> preopen_name;  // set for preopened directories
  uint64_t rights_base = 0;          // wasi/rights.h
  uint64_t rights_inheriting = 0;
  // Closes host_fd when the entry and every call using it are gone (set by the table).
  std::shared_ptr<const HostFd> holder = nullptr;
};

class ContextImpl {
 public:
  explicit ContextImpl(Config config);
  ~ContextImpl();

  const Config& config() const { return config_; }

  // Guards the fd table: threads of one program (wasi-threads) call WASI at once. Held
  // around every call except those that never touch the table or may block for long
  // (context.cpp); fd_read/fd_write and friends take it only to look their fd up.
  std::mutex& table_mutex() { return table_mutex_; }

  FdEntry* fd(uint32_t guest_fd);
  // The entry when it exists and has every right in `rights`; else nullptr with *err set
  // to EBADF or ENOTCAPABLE.
  FdEntry* fd(uint32_t guest_fd, uint64_t rights, uint32_t* err);
  uint32_t add_fd(FdEntry e);  // lowest free guest fd; the table holds e.host_fd from now on
  uint32_t close_fd(uint32_t guest_fd);
  uint32_t renumber(uint32_t from, uint32_t to);

  // Opens `path` beneath directory `dir` (a guest fd) with openat2(RESOLVE_BENEATH):
  // absolute paths, `..` escapes and symlinks leading outside fail with ENOTCAPABLE.
  // Returns a host fd or -(WASI errno).
  int open_beneath(uint32_t dir, const std::string& path, int flags, int mode, bool follow);
  // Resolves the parent directory of `path` beneath `dir` and returns its host fd (O_PATH)
  // plus the final component, for *at() calls; trailing slashes stay on the component
  // so that the kernel applies their meaning ("file/" is ENOTDIR). Returns -(WASI errno).
  int open_parent(uint32_t dir, const std::string& path, std::string* last);

 private:
  Config config_;
  std::mutex table_mutex_;
  std::vector<std::optional<FdEntry>> fds_;
};

FileType file_type_of(unsigned st_mode);

}  // namespace aperture::wasi
