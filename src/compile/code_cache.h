// The on-disk cache of compiled code (docs/cli.md, "The code cache"): one artifact file
// (without the module) per module hash, code generator identity, runtime ABI, CPU and
// options, in a directory private to the user. A hit costs reading and checking one
// file; LLVM is not loaded. A corrupt, stale, foreign or misshapen entry is reported,
// removed and compiled again, never run.
//
// The directory is opened once and checked through its descriptor; every entry is
// reached from that descriptor (openat, no symbolic links followed) and checked itself,
// so a directory or entry swapped under a running lookup is never read. The cache keeps
// within a size limit, removing the least recently used entries.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "aperture/engine.h"
#include "compile/artifact.h"

namespace aperture::native {

using WarningSink = std::function<void(const std::string&)>;

class CodeCache {
 public:
  // Creates `dir` (mode 0700) if needed and opens it. Returns nullopt, after a warning,
  // when the directory cannot be used: not creatable, not a directory (a symbolic link
  // is not followed), or not private to this user (another user could plant code in it).
  // The cache keeps its entries within `max_size` bytes.
  static std::optional<CodeCache> open(const std::string& dir, const WarningSink& warn,
                                       uint64_t max_size = kDefaultCacheMaxSize);

  CodeCache(CodeCache&& other) noexcept;
  CodeCache& operator=(CodeCache&& other) noexcept;
  ~CodeCache();

  // The cached code for a module, or nullopt (a miss, or a bad entry: warned and removed).
  // Never blocks on an entry that is no regular file, never reads more than the header
  // of one whose size is wrong.
  std::optional<CompiledCode> lookup(const Digest& module_hash, int opt_level,
                                     const WarningSink& warn) const;
  // Stores code atomically (a new temporary file, then rename), then keeps the cache
  // within its size limit. An entry that cannot be written (no room, no permission, the
  // file size limit) is skipped with a warning, leaving nothing behind.
  void store(const Digest& module_hash, int opt_level, const CompiledCode& code,
             const WarningSink& warn) const;

  // The entry's file for these keys.
  std::string entry_path(const Digest& module_hash, int opt_level) const;

 private:
  CodeCache(std::string dir, int fd, uint64_t max_size) : dir_(std::move(dir)), fd_(fd), max_size_(max_size) {}
  std::string entry_name(const Digest& module_hash, int opt_level) const;
  // Checks and reads entry `name`; throws ArtifactError saying what is wrong with it.
  std::optional<CompiledCode> read_entry(const std::string& name, const Digest& module_hash,
                                         int opt_level) const;
  void evict(const std::string& keep) const;

  std::string dir_;
  int fd_ = -1;  // the directory, opened and checked once
  uint64_t max_size_ = kDefaultCacheMaxSize;
};

// $XDG_CACHE_HOME/aperture, else $HOME/.cache/aperture; empty when neither is set.
std::string default_cache_dir();

}  // namespace aperture::native
