// The code cache and ahead-of-time artifacts, through the `aperture` command like a user
// would use them. A run that must not compile is run with the code generator library
// made unavailable: if it succeeds, it ran stored code.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "cli/run_aperture.h"
#include "module_support.h"
#include "compile/artifact.h"
#include "support/sha256.h"

namespace aperture {
namespace {

namespace fs = std::filesystem;

using cli_test::contains;
using cli_test::Result;
using cli_test::run_aperture;

using testing_support::read_file_bytes;

void write(const fs::path& p, const std::vector<uint8_t>& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Rewrites part of an artifact and recomputes its checksum: a well-formed artifact that
// differs only in that field, as another build or another CPU would have written it.
void patch_and_reseal(const fs::path& p, size_t offset, const std::string& text) {
  std::vector<uint8_t> bytes = read_file_bytes(p);
  std::copy(text.begin(), text.end(), bytes.begin() + static_cast<ptrdiff_t>(offset));
  native::Digest sum = native::sha256(std::span<const uint8_t>(bytes.data(), bytes.size() - 32));
  std::copy(sum.begin(), sum.end(), bytes.end() - 32);
  write(p, bytes);
}

// Header layout (compile/artifact.cpp): magic (8), format version (4), code generator id (64),
// ABI fingerprint (32), CPU fingerprint (32), ...
constexpr size_t kIdOffset = 12;
constexpr size_t kCpuOffset = 12 + 64 + 32;

class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aperture_cache_test_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    cache_ = dir_ / "cache";
    module_ = std::string(APERTURE_WAT_DIR) + "/traps.wasm";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs with the cache in cache_; `no_codegen` hides the code generator.
  Result aperture(const std::string& args, bool no_codegen = false) {
    std::string env = "XDG_CACHE_HOME=" + cache_.string() + " APERTURE_ENGINE=compiled";
    if (no_codegen) env += " APERTURE_CODEGEN_LIBRARY=/nonexistent/libaperture-codegen.so";
    return run_aperture(args, env);
  }
  std::vector<fs::path> entries() {
    std::vector<fs::path> out;
    if (!fs::exists(cache_ / "aperture")) return out;
    for (const auto& e : fs::directory_iterator(cache_ / "aperture")) out.push_back(e.path());
    return out;
  }
  std::string invoke() { return "run " + module_ + " --invoke div_zero 5"; }

  fs::path dir_, cache_;
  std::string module_;
};

TEST_F(CacheTest, SecondRunUsesTheCacheWithoutTheCodeGenerator) {
  Result cold_without_codegen = aperture(invoke(), true);
  EXPECT_EQ(cold_without_codegen.exit_code, 1) << cold_without_codegen.out;
  EXPECT_TRUE(contains(cold_without_codegen.out, "cannot load the code generator")) << cold_without_codegen.out;

  Result first = aperture(invoke());
  EXPECT_EQ(first.exit_code, 0) << first.out;
  EXPECT_EQ(first.out, "1\n");
  ASSERT_EQ(entries().size(), 1u);
  struct stat st;
  ASSERT_EQ(stat((cache_ / "aperture").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u) << "the cache directory is private";
  ASSERT_EQ(stat(entries()[0].c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u) << "cache entries are private";

  Result second = aperture(invoke(), true);
  EXPECT_EQ(second.exit_code, 0) << second.out;
  EXPECT_EQ(second.out, "1\n");
  // Other options are other entries.
  Result other_level = aperture("run --opt-level 1 " + module_ + " --invoke div_zero 5");
  EXPECT_EQ(other_level.out, "1\n");
  EXPECT_EQ(entries().size(), 2u);
}

TEST_F(CacheTest, NoCacheNeitherReadsNorWrites) {
  Result r = aperture("run --no-cache " + module_ + " --invoke div_zero 7");
  EXPECT_EQ(r.out, "1\n");
  EXPECT_TRUE(entries().empty());
  Result custom = aperture("run --cache-dir " + (dir_ / "elsewhere").string() + " " + module_ +
                           " --invoke div_zero 7");
  EXPECT_EQ(custom.out, "1\n");
  EXPECT_TRUE(entries().empty());
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "elsewhere"), {}), 1);
}

TEST_F(CacheTest, CorruptTruncatedAndStaleEntriesAreCompiledAgainWithAWarning) {
  ASSERT_EQ(aperture(invoke()).exit_code, 0);
  ASSERT_EQ(entries().size(), 1u);
  fs::path entry = entries()[0];
  std::vector<uint8_t> good = read_file_bytes(entry);

  std::vector<uint8_t> corrupt = good;
  corrupt[corrupt.size() / 2] ^= 0x40;
  write(entry, corrupt);
  Result r = aperture(invoke());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "warning: ignoring code cache entry")) << r.out;
  EXPECT_TRUE(contains(r.out, "corrupt compiled code (checksum mismatch); compiling again")) << r.out;
  EXPECT_TRUE(contains(r.out, "\n1\n") || r.out.ends_with("1\n")) << r.out;
  EXPECT_EQ(aperture(invoke(), true).out, "1\n") << "the entry was written again";

  write(entry, std::vector<uint8_t>(good.begin(), good.begin() + 100));
  r = aperture(invoke());
  EXPECT_TRUE(contains(r.out, "corrupt compiled code")) << r.out;
  EXPECT_EQ(r.exit_code, 0);

  write(entry, good);
  patch_and_reseal(entry, kIdOffset, "0.0.9-llvm19.1.7-0123456789abcdef0123");
  r = aperture(invoke());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "compiled by another build of Aperture (0.0.9-llvm19.1.7-0123456789abcdef0123")) << r.out;
  EXPECT_TRUE(contains(r.out, "compiling again")) << r.out;
  EXPECT_EQ(aperture(invoke(), true).out, "1\n");
}

TEST_F(CacheTest, ACacheDirectoryOthersCanWriteIsNotUsed) {
  fs::create_directories(cache_ / "aperture");
  chmod((cache_ / "aperture").c_str(), 0777);
  Result r = aperture(invoke());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "warning: code cache disabled:")) << r.out;
  EXPECT_TRUE(contains(r.out, "is not private to this user")) << r.out;
  EXPECT_TRUE(entries().empty());
}

TEST_F(CacheTest, PrecompiledArtifactRunsLikeTheModule) {
  std::string guest = std::string(APERTURE_BINARY_DIR) + "/guests/compute.wasm";
  if (!fs::exists(guest)) GTEST_SKIP() << "C guests not built";
  fs::path artifact = dir_ / "compute.cwasm";
  Result c = aperture("compile " + guest + " -o " + artifact.string());
  ASSERT_EQ(c.exit_code, 0) << c.out;
  EXPECT_EQ(c.out, "");
  Result from_wasm = aperture("run --no-cache " + guest + " 20000");
  Result from_artifact = aperture("run --allow-precompiled " + artifact.string() + " 20000", true);
  EXPECT_EQ(from_wasm.exit_code, 0) << from_wasm.out;
  EXPECT_FALSE(from_wasm.out.empty());
  EXPECT_EQ(from_artifact.exit_code, from_wasm.exit_code) << from_artifact.out;
  EXPECT_EQ(from_artifact.out, from_wasm.out);
}

TEST_F(CacheTest, ArtifactsAreRefusedUnlessTrustedIntactAndMadeHere) {
  fs::path artifact = dir_ / "traps.cwasm";
  ASSERT_EQ(aperture("compile " + module_ + " -o " + artifact.string()).exit_code, 0);
  std::string run_artifact = "run --allow-precompiled " + artifact.string() + " --invoke div_zero 5";
  EXPECT_EQ(aperture(run_artifact, true).out, "1\n");
  // A trap in precompiled code reads like any other.
  Result trap = aperture("run --allow-precompiled " + artifact.string() + " --invoke div_zero 0", true);
  EXPECT_EQ(trap.exit_code, 134);
  EXPECT_EQ(trap.out, "trap: integer divide by zero\nwasm backtrace:\n  #0 divide\n  #1 div_zero\n");

  Result untrusted = aperture("run " + artifact.string() + " --invoke div_zero 5");
  EXPECT_EQ(untrusted.exit_code, 2) << untrusted.out;
  EXPECT_TRUE(contains(untrusted.out, "is a precompiled artifact: native code")) << untrusted.out;
  EXPECT_TRUE(contains(untrusted.out, "--allow-precompiled")) << untrusted.out;
  Result interp = aperture("run --engine interp " + run_artifact.substr(4));
  EXPECT_EQ(interp.exit_code, 2) << interp.out;

  // Each damaged artifact is refused with exit 1 and a message saying why.
  std::vector<uint8_t> good = read_file_bytes(artifact);
  auto expect_refused = [&](const std::string& why, const std::string& message) {
    Result r = aperture(run_artifact);
    EXPECT_EQ(r.exit_code, 1) << why << ": " << r.out;
    EXPECT_TRUE(contains(r.out, message)) << why << ": " << r.out;
    write(artifact, good);
  };
  std::vector<uint8_t> bad = good;
  bad[good.size() - 40] ^= 1;
  write(artifact, bad);
  expect_refused("flipped bit", "corrupt compiled code (checksum mismatch)");
  write(artifact, std::vector<uint8_t>(good.begin(), good.begin() + good.size() / 3));
  expect_refused("truncated", "corrupt compiled code");
  patch_and_reseal(artifact, kIdOffset, "0.0.9-llvm18.1.0-00000000000000000000");
  expect_refused("other build", "compiled by another build of Aperture (0.0.9-llvm18.1.0-");
  patch_and_reseal(artifact, kIdOffset, "0.0.9-llvm18.1.0-00000000000000000000");
  expect_refused("other build", "compile it again");
  patch_and_reseal(artifact, kCpuOffset, "some other processor, features..");  // 32 bytes
  expect_refused("other CPU", "compiled for another CPU");
}

TEST(ArtifactFormat, ReaderRefusesEveryTruncationAndCorruption) {
  native::CompiledCode code{{{1, 2, 3, 4}, {5, 6}}, {0, 0}};
  std::vector<uint8_t> wasm{0, 'a', 's', 'm', 1, 0, 0, 0};
  std::vector<uint8_t> bytes = native::write_artifact(code, native::sha256(wasm), 2, wasm);
  native::ArtifactContents back = native::read_artifact(bytes);
  EXPECT_EQ(back.code.objects, code.objects);
  EXPECT_EQ(back.code.entry_types, code.entry_types);
  EXPECT_EQ(back.wasm, wasm);
  EXPECT_EQ(back.opt_level, 2);
  for (size_t n = 0; n < bytes.size(); ++n)
    EXPECT_THROW(native::read_artifact(std::span<const uint8_t>(bytes.data(), n)), native::ArtifactError) << n;
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::vector<uint8_t> bad = bytes;
    bad[i] ^= 0x10;
    EXPECT_THROW(native::read_artifact(bad), native::ArtifactError) << i;
  }
}

}  // namespace
}  // namespace aperture
