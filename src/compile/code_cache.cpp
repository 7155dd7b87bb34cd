#include "compile/code_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "target/target.h"

namespace aperture::native {
namespace {

void warn_if(const WarningSink& warn, const std::string& message) {
  if (warn) warn(message);
}

// mkdir -p with mode 0700 for the directories it creates.
bool make_dirs(const std::string& dir) {
  if (dir.empty()) return false;
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) return S_ISDIR(st.st_mode);
  size_t slash = dir.rfind('/', dir.size() - 2);
  if (slash != std::string::npos && slash > 0 && !make_dirs(dir.substr(0, slash))) return false;
  return mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST;
}

bool read_whole(const std::string& path, std::vector<uint8_t>* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (ok) {
    out->resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (ok && done < out->size()) {
      ssize_t n = ::read(fd, out->data() + done, out->size() - done);
      if (n <= 0) ok = false;
      else done += static_cast<size_t>(n);
    }
  }
  ::close(fd);
  return ok;
}

bool write_whole(int fd, const std::vector<uint8_t>& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::string default_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/')
    return std::string(xdg) + "/aperture";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/aperture";
  return "";
}

std::optional<CodeCache> CodeCache::open(const std::string& dir, const WarningSink& warn) {
  if (!make_dirs(dir)) {
    warn_if(warn, "code cache disabled: cannot create directory " + dir + ": " + std::strerror(errno));
    return std::nullopt;
  }
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    warn_if(warn, "code cache disabled: " + dir + " is not a directory");
    return std::nullopt;
  }
  if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
    warn_if(warn, "code cache disabled: " + dir +
                      " is not private to this user (another user could place code there to be "
                      "run); use chmod 700 or --cache-dir");
    return std::nullopt;
  }
  return CodeCache(dir);
}

std::string CodeCache::entry_path(const Digest& module_hash, int opt_level) const {
  Sha256 key;
  // The machine too: a cache directory shared by an x86-64 and an aarch64 host (an NFS
  // home) keeps their entries apart; each entry's header is checked again on reading.
  key.update(module_hash).update(codegen_identity()).update(abi_fingerprint());
  key.update(std::string(target::host_target_name())).update(target::cpu_fingerprint());
  key.update(std::string("opt-level")).update(std::to_string(opt_level));
  Digest d = key.finish();
  std::string path = dir_;
  path += '/';
  path += to_hex(std::span<const uint8_t>(d.data(), 16));
  path += ".cwasm";
  return path;
}

std::optional<CompiledCode> CodeCache::lookup(const Digest& module_hash, int opt_level,
                                              const WarningSink& warn) const {
  std::string path = entry_path(module_hash, opt_level);
  std::vector<uint8_t> bytes;
  if (!read_whole(path, &bytes)) return std::nullopt;
  try {
    ArtifactContents contents = read_artifact(bytes);
    if (contents.module_hash != module_hash || contents.opt_level != opt_level)
      throw ArtifactError(ArtifactError::Reason::Corrupt, "made for another module or options");
    return std::move(contents.code);
  } catch (const ArtifactError& e) {
    warn_if(warn, "ignoring code cache entry " + path + ": " + e.what() + "; compiling again");
    ::unlink(path.c_str());
    return std::nullopt;
  }
}

void CodeCache::store(const Digest& module_hash, int opt_level, const CompiledCode& code,
                      const WarningSink& warn) const {
  std::string path = entry_path(module_hash, opt_level);
  std::string temp = path + ".XXXXXX";
  std::vector<char> name(temp.begin(), temp.end());
  name.push_back('\0');
  int fd = mkstemp(name.data());  // mode 0600
  if (fd < 0) {
    warn_if(warn, "cannot write code cache entry in " + dir_ + ": " + std::strerror(errno));
    return;
  }
  bool ok = write_whole(fd, write_artifact(code, module_hash, opt_level, {}));
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(name.data(), path.c_str()) != 0) {
    warn_if(warn, "cannot write code cache entry " + path + ": " + std::strerror(errno));
    ::unlink(name.data());
  }
}

}  // namespace aperture::native
