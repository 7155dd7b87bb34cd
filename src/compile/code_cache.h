// The on-disk cache of compiled code (docs/cli.md, "The code cache"): one artifact file
// (without the module) per module hash, code generator identity, runtime ABI, CPU and
// options, in a directory private to the user. A hit costs reading and checking one
// file; LLVM is not loaded. A corrupt, stale or foreign entry is reported, removed and
// compiled again, never run.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "compile/artifact.h"

namespace aperture::native {

using WarningSink = std::function<void(const std::string&)>;

class CodeCache {
 public:
  // Creates `dir` (mode 0700) if needed. Returns nullopt, after a warning, when the
  // directory cannot be used: not creatable, not a directory, or writable by others
  // (another user could plant code in it).
  static std::optional<CodeCache> open(const std::string& dir, const WarningSink& warn);

  // The cached code for a module, or nullopt (a miss, or a bad entry: warned and removed).
  std::optional<CompiledCode> lookup(const Digest& module_hash, int opt_level,
                                     const WarningSink& warn) const;
  // Stores code atomically (write to a temporary file, then rename). Failures only warn.
  void store(const Digest& module_hash, int opt_level, const CompiledCode& code,
             const WarningSink& warn) const;

  // The entry's file for these keys.
  std::string entry_path(const Digest& module_hash, int opt_level) const;

 private:
  explicit CodeCache(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

// $XDG_CACHE_HOME/aperture, else $HOME/.cache/aperture; empty when neither is set.
std::string default_cache_dir();

}  // namespace aperture::native
