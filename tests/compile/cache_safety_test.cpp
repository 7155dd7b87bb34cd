// The code cache against hostile or broken contents (issue 20, items 12 and 14): a cache
// directory swapped under a lookup, entries that are FIFOs, symbolic links, another
// user's files, huge sparse files, and a cache that cannot be written. Each lookup here
// must answer quickly with the right code or a miss and a warning, never with code from
// anywhere but the directory that was checked. In-process, through CodeCache, as root.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "cli/run_aperture.h"
#include "compile/artifact.h"
#include "compile/code_cache.h"
#include "support/sha256.h"
#include "process_support.h"

namespace aperture::native {
namespace {

namespace fs = std::filesystem;

using testing_support::in_child;

constexpr uid_t kOtherUser = 65534;  // nobody

// Code that is never run here: lookups are told apart by their bytes.
CompiledCode code_named(uint8_t tag) { return CompiledCode{{{tag, tag, tag, tag}}, {0}}; }

class CacheSafetyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aperture_cache_safety_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    root_ = (dir_ / "aperture").string();
    hash_ = Sha256().update(std::string("module A")).finish();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::optional<CodeCache> open_cache() {
    return CodeCache::open(root_, [this](const std::string& m) { warnings_ += m + "\n"; });
  }
  std::optional<CompiledCode> lookup(const CodeCache& cache) {
    return cache.lookup(hash_, 2, [this](const std::string& m) { warnings_ += m + "\n"; });
  }
  // The cache with one good entry for hash_; returns the entry's path.
  std::string with_good_entry() {
    std::optional<CodeCache> cache = open_cache();
    EXPECT_TRUE(cache);
    cache->store(hash_, 2, code_named(0x11), nullptr);
    std::string path = cache->entry_path(hash_, 2);
    EXPECT_TRUE(fs::is_regular_file(path));
    return path;
  }
  // A directory as another user would make it, holding a well-formed entry for hash_
  // under the same name, with code of its own (0xEE).
  fs::path planted_dir(const std::string& entry_name) {
    fs::path evil = dir_ / "evil";
    fs::create_directories(evil);
    std::vector<uint8_t> bytes = write_artifact(code_named(0xEE), hash_, 2, {});
    std::ofstream(evil / entry_name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    EXPECT_EQ(chown((evil / entry_name).c_str(), kOtherUser, kOtherUser), 0);
    EXPECT_EQ(chown(evil.c_str(), kOtherUser, kOtherUser), 0);
    chmod(evil.c_str(), 0755);
    return evil;
  }
  static bool is_planted(const std::optional<CompiledCode>& code) {
    return code && !code->objects.empty() && code->objects[0][0] == 0xEE;
  }
  size_t files_in_root() const { return static_cast<size_t>(std::distance(fs::directory_iterator(root_), {})); }

  fs::path dir_;
  std::string root_;
  Digest hash_{};
  std::string warnings_;
};

// Item 12: open() checked the directory by path, lookup() opened entries by path later.
TEST_F(CacheSafetyTest, ADirectorySwappedAfterTheCheckIsNeverRead) {
  std::string entry = with_good_entry();
  fs::path evil = planted_dir(fs::path(entry).filename());
  std::optional<CodeCache> cache = open_cache();
  ASSERT_TRUE(cache);
  ASSERT_EQ(renameat2(AT_FDCWD, root_.c_str(), AT_FDCWD, evil.c_str(), RENAME_EXCHANGE), 0);
  std::optional<CompiledCode> got = lookup(*cache);
  EXPECT_FALSE(is_planted(got)) << "code from the directory swapped in was returned";
  EXPECT_TRUE(got && got->objects[0][0] == 0x11) << "the checked directory is still the one read";
  // Opened afresh, the swapped-in directory (another user's) is refused.
  EXPECT_FALSE(open_cache());
  EXPECT_TRUE(warnings_.find("is not private to this user") != std::string::npos) << warnings_;
}

TEST_F(CacheSafetyTest, ADirectorySwappedInALoopUnderRunningLookupsIsNeverRead) {
  std::string entry = with_good_entry();
  fs::path evil = planted_dir(fs::path(entry).filename());
  std::atomic<bool> stop{false};
  std::atomic<int> swaps{0};
  std::thread swapper([&] {
    while (!stop.load())
      if (renameat2(AT_FDCWD, root_.c_str(), AT_FDCWD, evil.c_str(), RENAME_EXCHANGE) == 0) ++swaps;
  });
  // Until both directories were seen at the check many times (or 10 s have passed): the
  // swapper may be descheduled for a while on a busy machine.
  int planted = 0, good = 0, refused = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((good + planted < 3000 || refused < 500) && std::chrono::steady_clock::now() < deadline) {
    std::optional<CodeCache> cache = CodeCache::open(root_, nullptr);
    if (!cache) {  // the other user's directory was there at the check
      ++refused;
      continue;
    }
    std::optional<CompiledCode> got = cache->lookup(hash_, 2, nullptr);
    if (is_planted(got)) ++planted;
    else if (got) ++good;
  }
  stop = true;
  swapper.join();
  EXPECT_EQ(planted, 0) << "lookups returned code from the other user's directory (" << good << " good, "
                        << refused << " refused, " << swaps.load() << " swaps)";
  EXPECT_GT(good, 0) << refused << " refused";
}

// Item 12: every entry's owner and type is checked, and links are not followed.
TEST_F(CacheSafetyTest, AnEntryOfAnotherUserIsRemovedNotUsed) {
  std::string entry = with_good_entry();
  ASSERT_EQ(chown(entry.c_str(), kOtherUser, kOtherUser), 0);
  std::optional<CodeCache> cache = open_cache();
  EXPECT_FALSE(lookup(*cache));
  EXPECT_TRUE(warnings_.find("ignoring code cache entry " + entry + ": owned by another user") !=
              std::string::npos) << warnings_;
  EXPECT_FALSE(fs::exists(entry)) << "removed";
}

TEST_F(CacheSafetyTest, AnEntryOthersCanWriteIsRemovedNotUsed) {
  std::string entry = with_good_entry();
  ASSERT_EQ(chmod(entry.c_str(), 0666), 0);
  std::optional<CodeCache> cache = open_cache();
  EXPECT_FALSE(lookup(*cache));
  EXPECT_TRUE(warnings_.find("writable by others") != std::string::npos) << warnings_;
  EXPECT_FALSE(fs::exists(entry));
}

TEST_F(CacheSafetyTest, ASymlinkEntryIsNotFollowed) {
  std::string entry = with_good_entry();
  fs::path elsewhere = dir_ / "elsewhere.cwasm";
  fs::rename(entry, elsewhere);  // a good entry, ours, outside the cache
  fs::create_symlink(elsewhere, entry);
  std::optional<CodeCache> cache = open_cache();
  EXPECT_FALSE(lookup(*cache));
  EXPECT_TRUE(warnings_.find("is a symbolic link") != std::string::npos) << warnings_;
  EXPECT_FALSE(fs::exists(fs::symlink_status(entry))) << "the link was removed";
  EXPECT_TRUE(fs::exists(elsewhere)) << "its target was not";
}

// Item 14: an entry that is a FIFO blocked the lookup forever in open().
TEST_F(CacheSafetyTest, AFifoEntryDoesNotBlock) {
  std::string entry = with_good_entry();
  fs::remove(entry);
  ASSERT_EQ(mkfifo(entry.c_str(), 0600), 0);
  std::string ended = in_child([&] {
    std::optional<CodeCache> cache = open_cache();
    bool miss = !lookup(*cache);
    bool warned = warnings_.find("ignoring code cache entry " + entry + ": not a regular file") != std::string::npos;
    if (!warned) std::fprintf(stderr, "warnings: %s\n", warnings_.c_str());
    return miss && warned ? 0 : 1;
  }, 20);
  EXPECT_EQ(ended, "exit 0") << "signal 14: the lookup blocked";
  EXPECT_FALSE(fs::exists(fs::symlink_status(entry))) << "the FIFO was removed";
}

// Item 14: a huge entry was read whole (and hashed) before its header was looked at.
TEST_F(CacheSafetyTest, AHugeSparseEntryIsRejectedWithoutReadingIt) {
  struct Case {
    uint64_t size, limit;
    bool keep_header;
    const char* why;
  };
  const Case cases[] = {
      {uint64_t{2} << 30, kDefaultCacheMaxSize, true, "more than the cache's size limit"},
      {uint64_t{4} << 30, kDefaultCacheMaxSize, false, "more than the cache's size limit"},
      {uint64_t{2} << 30, uint64_t{8} << 30, true, "2147483648 bytes where its header says"},
  };
  for (const Case& c : cases) {
    std::string entry = with_good_entry();
    if (!c.keep_header) {
      ASSERT_EQ(truncate(entry.c_str(), 0), 0);
    }
    ASSERT_EQ(truncate(entry.c_str(), static_cast<off_t>(c.size)), 0);  // a hole after the header
    std::string ended = in_child([&] {
      auto warn = [this](const std::string& m) { warnings_ += m + "\n"; };
      std::optional<CodeCache> cache = CodeCache::open(root_, warn, c.limit);
      bool miss = !cache->lookup(hash_, 2, warn);
      bool warned = warnings_.find("ignoring code cache entry " + entry + ": ") != std::string::npos &&
                    warnings_.find(c.why) != std::string::npos;
      if (!warned) std::fprintf(stderr, "warnings: %s\n", warnings_.c_str());
      return miss && warned ? 0 : 1;
    }, 10);
    EXPECT_EQ(ended, "exit 0") << c.size << " bytes; signal 14: it was read whole";
    EXPECT_FALSE(fs::exists(entry)) << "removed";
  }
}

// Item 14: the cache grew without bound. Storing keeps it within its limit, removing the
// entries used least recently; an entry larger than the limit is not stored.
TEST_F(CacheSafetyTest, StoringKeepsTheCacheWithinItsLimitByRemovingTheLeastRecentlyUsed) {
  const CompiledCode code{{std::vector<uint8_t>(10'000, 0x11)}, {0}};
  const uint64_t entry_size = write_artifact(code, hash_, 2, {}).size();
  std::optional<CodeCache> cache = CodeCache::open(root_, nullptr, 3 * entry_size + entry_size / 2);
  ASSERT_TRUE(cache);
  std::vector<Digest> hashes;
  for (int i = 0; i < 3; ++i) {
    hashes.push_back(Sha256().update("module " + std::to_string(i)).finish());
    cache->store(hashes.back(), 2, code, nullptr);
  }
  // Entry 0, the oldest written, is used now; so entry 1 is the least recently used.
  for (int i = 0; i < 3; ++i) {
    timespec used_long_ago[2] = {{0, UTIME_OMIT}, {1'000'000 + i, 0}};
    utimensat(AT_FDCWD, cache->entry_path(hashes[i], 2).c_str(), used_long_ago, 0);
  }
  ASSERT_TRUE(cache->lookup(hashes[0], 2, nullptr));
  // A stale temporary file from a run killed while writing.
  const std::string stale = root_ + "/0123456789abcdef0123456789abcdef.cwasm.tmp-0000000000000000";
  std::ofstream(stale) << "half an entry";
  timespec stale_times[2] = {{0, UTIME_OMIT}, {1'000'000, 0}};
  utimensat(AT_FDCWD, stale.c_str(), stale_times, 0);

  hashes.push_back(Sha256().update(std::string("module 3")).finish());
  cache->store(hashes[3], 2, code, nullptr);
  EXPECT_TRUE(fs::exists(cache->entry_path(hashes[0], 2))) << "used recently";
  EXPECT_FALSE(fs::exists(cache->entry_path(hashes[1], 2))) << "the least recently used is removed";
  EXPECT_TRUE(fs::exists(cache->entry_path(hashes[2], 2)));
  EXPECT_TRUE(fs::exists(cache->entry_path(hashes[3], 2))) << "the new entry stays";
  EXPECT_FALSE(fs::exists(stale)) << "a stale temporary file is removed";
  EXPECT_EQ(files_in_root(), 3u);

  std::optional<CodeCache> tiny = CodeCache::open(root_, nullptr, entry_size - 1);
  std::string warnings;
  Digest big = Sha256().update(std::string("module 4")).finish();
  tiny->store(big, 2, code, [&](const std::string& m) { warnings += m; });
  EXPECT_TRUE(warnings.find("code cache entry not written: its " + std::to_string(entry_size) +
                            " bytes exceed the cache's size limit") != std::string::npos) << warnings;
  EXPECT_FALSE(fs::exists(tiny->entry_path(big, 2)));
  EXPECT_EQ(files_in_root(), 3u);
}

// Item 14: a cache that cannot be written is skipped with a warning and left clean.
TEST_F(CacheSafetyTest, AnUnwritableCacheIsSkippedWithAWarning) {
  std::optional<CodeCache> made = open_cache();  // created as root, then given to nobody
  ASSERT_TRUE(made);
  ASSERT_EQ(chown(root_.c_str(), kOtherUser, kOtherUser), 0);
  ASSERT_EQ(chmod(root_.c_str(), 0500), 0);
  std::string ended = in_child([&] {
    if (setgid(kOtherUser) != 0 || setuid(kOtherUser) != 0) return 2;
    std::optional<CodeCache> cache = open_cache();
    if (!cache) return 3;
    cache->store(hash_, 2, code_named(0x11), [this](const std::string& m) { warnings_ += m + "\n"; });
    bool warned = warnings_.find("cannot write code cache entry") != std::string::npos;
    if (!warned) std::fprintf(stderr, "warnings: %s\n", warnings_.c_str());
    return warned && !lookup(*cache) ? 0 : 1;
  }, 20);
  EXPECT_EQ(ended, "exit 0");
  EXPECT_EQ(files_in_root(), 0u) << "no temporary file left";
}

// Item 14: with a file size limit (`ulimit -f`) smaller than an entry, writing it killed
// the run with SIGXFSZ and left the temporary file behind.
TEST_F(CacheSafetyTest, AFileSizeLimitSkipsTheEntryWithAWarning) {
  const std::string module = std::string(APERTURE_WAT_DIR) + "/traps.wasm";
  cli_test::Result r = cli_test::run_aperture("run " + module + " --invoke div_zero 5",
                                              "ulimit -f 1; XDG_CACHE_HOME=" + dir_.string() +
                                                  " APERTURE_ENGINE=compiled");
  EXPECT_EQ(r.exit_code, 0) << "153 is SIGXFSZ: " << r.out;
  EXPECT_TRUE(r.out.ends_with("\n1\n")) << r.out;
  EXPECT_TRUE(cli_test::contains(r.out, "warning: code cache entry not written")) << r.out;
  EXPECT_TRUE(cli_test::contains(r.out, "file size limit")) << r.out;
  EXPECT_EQ(files_in_root(), 0u) << "no temporary file left";
}

TEST_F(CacheSafetyTest, TheCommandLineSetsTheSizeLimit) {
  const std::string module = std::string(APERTURE_WAT_DIR) + "/traps.wasm";
  const std::string env = "XDG_CACHE_HOME=" + dir_.string() + " APERTURE_ENGINE=compiled";
  cli_test::Result r = cli_test::run_aperture("run --cache-max-size 1K " + module + " --invoke div_zero 5", env);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(cli_test::contains(r.out, "warning: code cache entry not written: its ")) << r.out;
  EXPECT_TRUE(cli_test::contains(r.out, "exceed the cache's size limit of 1024 bytes")) << r.out;
  EXPECT_TRUE(r.out.ends_with("\n1\n")) << r.out;
  EXPECT_EQ(files_in_root(), 0u);
  r = cli_test::run_aperture("run --cache-max-size lots " + module + " --invoke div_zero 5", env);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(cli_test::contains(r.out, "--cache-max-size")) << r.out;
}

}  // namespace
}  // namespace aperture::native
