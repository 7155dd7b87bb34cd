#include "compile/code_cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <new>
#include <utility>
#include <vector>

#include "target/target.h"

namespace aperture::native {
namespace {

constexpr const char* kEntrySuffix = ".cwasm";
// Temporary files are ENTRY.tmp-RANDOM while being written; one this old was left by a
// run that was killed meanwhile, and eviction removes it.
constexpr const char* kTempInfix = ".cwasm.tmp-";
constexpr time_t kStaleTempSeconds = 3600;

void warn_if(const WarningSink& warn, const std::string& message) {
  if (warn) warn(message);
}

ArtifactError bad_entry(const std::string& why) { return ArtifactError(ArtifactError::Reason::Corrupt, why); }

std::string bytes_text(uint64_t n) { return std::to_string(n) + " bytes"; }

// mkdir -p with mode 0700 for the directories it creates.
bool make_dirs(const std::string& dir) {
  if (dir.empty()) return false;
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) errno = ENOTDIR;
    return S_ISDIR(st.st_mode);
  }
  size_t slash = dir.rfind('/', dir.size() - 2);
  if (slash != std::string::npos && slash > 0 && !make_dirs(dir.substr(0, slash))) return false;
  return mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST;
}

// Reads exactly `n` bytes at `offset`; false at the end of the file or on an error.
bool read_at(int fd, uint8_t* out, size_t n, uint64_t offset) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = pread(fd, out + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

// 0, or the errno of the write that failed.
int write_whole(int fd, const std::vector<uint8_t>& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : EIO;
    done += static_cast<size_t>(n);
  }
  return 0;
}

std::string random_suffix() {
  uint64_t r = 0;
  if (getrandom(&r, sizeof r, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof r))
    r = (uint64_t(getpid()) << 32) ^ uint64_t(std::time(nullptr)) ^ reinterpret_cast<uintptr_t>(&r);
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(r));
  return text;
}

// What an entry must be, from its stat: a regular file of this user that no one else
// can write (only they could have put code there), within the cache's size limit.
void check_entry(const struct stat& st, uint64_t max_size) {
  if (S_ISLNK(st.st_mode)) throw bad_entry("is a symbolic link");
  if (!S_ISREG(st.st_mode)) throw bad_entry("not a regular file");
  if (st.st_uid != geteuid()) throw bad_entry("owned by another user");
  if (st.st_mode & (S_IWGRP | S_IWOTH)) throw bad_entry("writable by others");
  if (static_cast<uint64_t>(st.st_size) > max_size)
    throw bad_entry(bytes_text(static_cast<uint64_t>(st.st_size)) + ", more than the cache's size limit of " +
                    bytes_text(max_size));
}

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() { if (fd_ >= 0) ::close(fd_); }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::string default_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/')
    return std::string(xdg) + "/aperture";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/aperture";
  return "";
}

std::optional<CodeCache> CodeCache::open(const std::string& dir, const WarningSink& warn, uint64_t max_size) {
  if (!make_dirs(dir)) {
    warn_if(warn, "code cache disabled: cannot create directory " + dir + ": " + std::strerror(errno));
    return std::nullopt;
  }
  // The directory is checked through the descriptor every later access goes through, so
  // a directory swapped in under the same path afterwards is never read; a symbolic link
  // in its place (to anyone's directory) is refused.
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    warn_if(warn, "code cache disabled: " + dir +
                      (err == ELOOP ? " is a symbolic link; name the directory itself (--cache-dir)"
                       : err == ENOTDIR ? " is not a directory"
                                        : ": " + std::string(std::strerror(err))));
    return std::nullopt;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
    ::close(fd);
    warn_if(warn, "code cache disabled: " + dir +
                      " is not private to this user (another user could place code there to be "
                      "run); use chmod 700 or --cache-dir");
    return std::nullopt;
  }
  return CodeCache(dir, fd, max_size);
}

CodeCache::CodeCache(CodeCache&& other) noexcept
    : dir_(std::move(other.dir_)), fd_(std::exchange(other.fd_, -1)), max_size_(other.max_size_) {}

CodeCache& CodeCache::operator=(CodeCache&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    dir_ = std::move(other.dir_);
    fd_ = std::exchange(other.fd_, -1);
    max_size_ = other.max_size_;
  }
  return *this;
}

CodeCache::~CodeCache() {
  if (fd_ >= 0) ::close(fd_);
}

std::string CodeCache::entry_name(const Digest& module_hash, int opt_level) const {
  Sha256 key;
  // The machine too: a cache directory shared by an x86-64 and an aarch64 host (an NFS
  // home) keeps their entries apart; each entry's header is checked again on reading.
  key.update(module_hash).update(codegen_identity()).update(abi_fingerprint());
  key.update(std::string(target::host_target_name())).update(target::cpu_fingerprint());
  key.update(std::string("opt-level")).update(std::to_string(opt_level));
  Digest d = key.finish();
  return to_hex(std::span<const uint8_t>(d.data(), 16)) + kEntrySuffix;
}

std::string CodeCache::entry_path(const Digest& module_hash, int opt_level) const {
  return dir_ + "/" + entry_name(module_hash, opt_level);
}

std::optional<CompiledCode> CodeCache::read_entry(const std::string& name, const Digest& module_hash,
                                                  int opt_level) const {
  // The kind of file first, without opening it (opening a device may do things).
  struct stat st;
  if (fstatat(fd_, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return std::nullopt;  // a miss
    throw bad_entry(std::strerror(errno));
  }
  check_entry(st, max_size_);
  // It may have been swapped since: no link is followed, a FIFO does not block the open,
  // and what was opened is checked again.
  Descriptor fd(openat(fd_, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw bad_entry(errno == ELOOP ? "is a symbolic link" : std::strerror(errno));
  }
  if (fstat(fd.get(), &st) != 0) throw bad_entry(std::strerror(errno));
  check_entry(st, max_size_);

  // The header and the object sizes, then the size they add up to, before the rest is read.
  const auto size = static_cast<uint64_t>(st.st_size);
  std::vector<uint8_t> head(kArtifactHeaderBytes);
  if (size < kArtifactHeaderBytes || !read_at(fd.get(), head.data(), head.size(), 0))
    throw bad_entry("corrupt compiled code (truncated)");
  ArtifactHeader h = read_artifact_header(head);
  if (h.module_hash != module_hash || h.opt_level != opt_level)
    throw bad_entry("made for another module or options");
  if (h.wasm_size > size || h.index_bytes() > size - kArtifactHeaderBytes)
    throw bad_entry("corrupt compiled code (truncated)");
  std::vector<uint8_t> index(h.index_bytes());
  if (!read_at(fd.get(), index.data(), index.size(), kArtifactHeaderBytes))
    throw bad_entry("corrupt compiled code (truncated)");
  uint64_t expected = artifact_size(h, index);
  if (expected != size)
    throw bad_entry("corrupt compiled code (" + bytes_text(size) + " where its header says " + bytes_text(expected) + ")");

  std::vector<uint8_t> bytes(size);
  if (!read_at(fd.get(), bytes.data(), bytes.size(), 0)) throw bad_entry("corrupt compiled code (truncated)");
  ArtifactContents contents = read_artifact(bytes);
  if (contents.module_hash != module_hash || contents.opt_level != opt_level)
    throw bad_entry("made for another module or options");
  // Used now: eviction removes the entries used least recently first.
  const struct timespec times[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
  futimens(fd.get(), times);
  return std::move(contents.code);
}

std::optional<CompiledCode> CodeCache::lookup(const Digest& module_hash, int opt_level,
                                              const WarningSink& warn) const {
  std::string name = entry_name(module_hash, opt_level);
  std::string why;
  try {
    return read_entry(name, module_hash, opt_level);
  } catch (const ArtifactError& e) {
    why = e.what();
  } catch (const std::bad_alloc&) {
    why = "too large to read into memory";
  }
  warn_if(warn, "ignoring code cache entry " + dir_ + "/" + name + ": " + why + "; compiling again");
  ::unlinkat(fd_, name.c_str(), 0);
  return std::nullopt;
}

void CodeCache::store(const Digest& module_hash, int opt_level, const CompiledCode& code,
                      const WarningSink& warn) const {
  std::string name = entry_name(module_hash, opt_level);
  std::vector<uint8_t> bytes = write_artifact(code, module_hash, opt_level, {});
  auto skip = [&](const std::string& why) { warn_if(warn, "code cache entry not written: " + why); };
  if (bytes.size() > max_size_)
    return skip("its " + bytes_text(bytes.size()) + " exceed the cache's size limit of " + bytes_text(max_size_));
  // Writing past the file size limit (ulimit -f) raises SIGXFSZ, which ends the process
  // unless ignored: an entry that would not fit is not started.
  struct rlimit fsize;
  if (getrlimit(RLIMIT_FSIZE, &fsize) == 0 && fsize.rlim_cur != RLIM_INFINITY && bytes.size() > fsize.rlim_cur)
    return skip("its " + bytes_text(bytes.size()) + " exceed the file size limit (ulimit -f) of " +
                bytes_text(fsize.rlim_cur));

  std::string temp;
  int fd = -1;
  for (int attempt = 0; attempt < 8 && fd < 0; ++attempt) {
    temp = name + ".tmp-" + random_suffix();
    fd = openat(fd_, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    warn_if(warn, "cannot write code cache entry in " + dir_ + ": " + std::strerror(errno) + "; not cached");
    return;
  }
  int err = write_whole(fd, bytes);  // EFBIG, ENOSPC, EDQUOT...
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && renameat(fd_, temp.c_str(), fd_, name.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlinkat(fd_, temp.c_str(), 0);
    warn_if(warn, "cannot write code cache entry " + dir_ + "/" + name + ": " + std::strerror(err) + "; not cached");
    return;
  }
  evict(name);
}

// Keeps the entries within the size limit: removes those used least recently (a hit
// refreshes an entry's modification time) until the rest fit, never `keep`, the one just
// written; and temporary files that runs killed while writing left behind.
void CodeCache::evict(const std::string& keep) const {
  int list_fd = openat(fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* dir = list_fd >= 0 ? fdopendir(list_fd) : nullptr;
  if (dir == nullptr) {
    if (list_fd >= 0) ::close(list_fd);
    return;
  }
  struct Entry {
    std::string name;
    uint64_t size;
    struct timespec used;
  };
  std::vector<Entry> entries;
  uint64_t total = 0;
  const time_t now = std::time(nullptr);
  while (const dirent* e = readdir(dir)) {
    std::string name = e->d_name;
    bool temp = name.find(kTempInfix) != std::string::npos;
    if (!temp && !name.ends_with(kEntrySuffix)) continue;  // not the cache's
    struct stat st;
    if (fstatat(fd_, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
    if (temp) {
      if (now - st.st_mtime > kStaleTempSeconds) ::unlinkat(fd_, name.c_str(), 0);
      continue;
    }
    total += static_cast<uint64_t>(st.st_size);
    entries.push_back({name, static_cast<uint64_t>(st.st_size), st.st_mtim});
  }
  closedir(dir);
  if (total <= max_size_) return;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.used.tv_sec != b.used.tv_sec ? a.used.tv_sec < b.used.tv_sec : a.used.tv_nsec < b.used.tv_nsec;
  });
  for (const Entry& e : entries) {
    if (total <= max_size_) break;
    if (e.name == keep) continue;
    if (::unlinkat(fd_, e.name.c_str(), 0) == 0 || errno == ENOENT) total -= e.size;
  }
}

}  // namespace aperture::native
