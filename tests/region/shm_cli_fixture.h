// What the region tests that run `aperture` on a region guest share: the guest's path, a run
// that collects the output, and a fixture that owns a POSIX shm region for the runs to
// name with --region.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "aperture/region.h"
#include "cli/run_aperture.h"

namespace aperture::testing_support {

// The path of a guest that tests/region/CMakeLists.txt builds (region_guest(NAME)).
inline std::string guest(const std::string& name) {
  return std::string(APERTURE_BINARY_DIR) + "/region_guests/" + name + ".wasm";
}

// Runs `aperture ARGS` with `env` prepended, appends its stdout and stderr to `out` and
// returns its exit status.
inline int run(const std::string& args, std::string* out, const std::string& env = "") {
  cli_test::Result r = cli_test::run_aperture(args, env);
  out->append(r.out);
  return r.exit_code;
}

// Skips the test when the guests were not built; otherwise creates shm region shm_
// (PREFIX and this process's id, so parallel test processes never meet) of `size` bytes
// and removes it however the test ends.
class ShmCliTest : public ::testing::Test {
 protected:
  ShmCliTest(std::string prefix, uint64_t size) : prefix_(std::move(prefix)), size_(size) {}
  void SetUp() override {
#ifndef APERTURE_GUESTS_BUILT
    GTEST_SKIP() << "configured with APERTURE_BUILD_GUESTS=OFF";
#endif
    shm_ = prefix_ + std::to_string(getpid());
    region_ = Region::create_shm(shm_, size_);
  }
  void TearDown() override {
    if (region_) Region::remove_shm(shm_);
  }
  std::string shm_;
  std::shared_ptr<Region> region_;

 private:
  std::string prefix_;
  uint64_t size_;
};

}  // namespace aperture::testing_support
