// Declarative bindings end to end (docs/regions.md, "Declarative bindings"): a C guest
// declares its windows in source (guest.h's APERTURE_BIND_WINDOW) and runs with nothing
// but --region options; the same program without them gets identical bindings from
// `aperture bind`; missing, too small and malformed bindings fail with messages that
// name what is wrong.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cli/run_aperture.h"
#include "engine_under_test.h"

namespace aperture {
namespace {

using cli_test::contains;
using cli_test::Result;
using cli_test::run_aperture;

std::string guest(const std::string& name) {
  return std::string(APERTURE_BINARY_DIR) + "/region_guests/" + name + ".wasm";
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<int32_t> words(const std::vector<uint8_t>& bytes, size_t n) {
  std::vector<int32_t> out(n);
  std::memcpy(out.data(), bytes.data(), n * 4);
  return out;
}

class BindTest : public ::testing::Test {
 protected:
  void SetUp() override {
#ifndef APERTURE_GUESTS_BUILT
    GTEST_SKIP() << "configured with APERTURE_BUILD_GUESTS=OFF";
#endif
    char tmpl[] = "/tmp/aperture_bind_XXXXXX";
    dir_ = mkdtemp(tmpl);
    // 100 samples: 7, 14, ..., 700 (word 0 = count); the rest of the 64 KiB is zero.
    std::vector<uint8_t> input(65536, 0);
    int32_t n = kSamples;
    std::memcpy(input.data(), &n, 4);
    for (int32_t i = 1; i <= n; ++i) {
      int32_t v = 7 * i;
      std::memcpy(input.data() + 4 * i, &v, 4);
    }
    write_file(path("input.bin"), input);
  }
  void TearDown() override {
    if (!dir_.empty()) std::system(("rm -rf " + dir_).c_str());
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  static std::string engine() { return "--engine " + testing_support::engine_name_under_test() + " "; }
  // Runs `module` with the input region and a fresh 64 KiB output file.
  Result run_filter(const std::string& module, const std::string& output = "output.bin") {
    std::remove(path(output).c_str());
    return run_aperture("run " + engine() + "--region input=file:" + path("input.bin") +
                        ",ro --region output=file:" + path(output) + ",size=64K,create " + module);
  }
  void expect_filtered(const std::string& output) {
    std::vector<uint8_t> bytes = read_file(path(output));
    ASSERT_EQ(bytes.size(), 65536u);
    std::vector<int32_t> w = words(bytes, kSamples + 1);
    EXPECT_EQ(w[0], kSamples);
    for (int32_t i = 1; i <= kSamples; ++i) ASSERT_EQ(w[i], 3 * 7 * i + 1) << "sample " << i;
  }

  static constexpr int32_t kSamples = 100;
  // sum of 21 i + 1 for i = 1..100
  static constexpr const char* kExpectedLine = "filtered 100 samples, sum 106150";
  std::string dir_;
};

TEST_F(BindTest, SourceDeclaredBindingsRunWithOnlyRegionOptions) {
  Result r = run_filter(guest("bound_filter"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, kExpectedLine)) << r.out;
  expect_filtered("output.bin");
}

TEST_F(BindTest, WithoutItsRegionsTheModuleFailsToInstantiateNamingTheMissingOne) {
  Result none = run_aperture("run " + engine() + guest("bound_filter"));
  EXPECT_EQ(none.exit_code, 1) << none.out;
  EXPECT_TRUE(contains(none.out, "region 'input'")) << none.out;
  EXPECT_TRUE(contains(none.out, "--region input=SPEC")) << none.out;
  EXPECT_FALSE(contains(none.out, "filtered")) << "the program must not start: " << none.out;

  Result half = run_aperture("run " + engine() + "--region input=file:" + path("input.bin") + ",ro " +
                             guest("bound_filter"));
  EXPECT_EQ(half.exit_code, 1) << half.out;
  EXPECT_TRUE(contains(half.out, "region 'output'")) << half.out;
  EXPECT_FALSE(contains(half.out, "filtered")) << half.out;
}

TEST_F(BindTest, ARegionTooSmallOrReadOnlyForItsBindingIsNamed) {
  Result small = run_aperture("run " + engine() + "--region input=file:" + path("input.bin") +
                              ",ro --region output=memfd:size=4K " + guest("bound_filter"));
  EXPECT_EQ(small.exit_code, 1) << small.out;
  EXPECT_TRUE(contains(small.out, "region 'output' has 4096 bytes, too small")) << small.out;

  Result ro = run_aperture("run " + engine() + "--region input=file:" + path("input.bin") +
                           ",ro --region output=file:" + path("input.bin") + ",ro " + guest("bound_filter"));
  EXPECT_EQ(ro.exit_code, 1) << ro.out;
  EXPECT_TRUE(contains(ro.out, "region 'output' is read-only")) << ro.out;
}

TEST_F(BindTest, BindCommandOutputRunsIdenticallyToTheSourceDeclaredModule) {
  std::string plain = guest("bound_filter_plain"), bound = path("bound.wasm");
  Result without = run_filter(plain);
  EXPECT_NE(without.exit_code, 0) << "the plain module has no windows: " << without.out;

  Result b = run_aperture("bind " + plain + " --map input@0xF0000000,size=64K,ro --map output@0xF0010000,size=64K -o " +
                          bound);
  ASSERT_EQ(b.exit_code, 0) << b.out;
  // Everything but the appended section is byte-identical.
  std::vector<uint8_t> in = read_file(plain), out = read_file(bound);
  ASSERT_GT(out.size(), in.size());
  EXPECT_TRUE(std::equal(in.begin(), in.end(), out.begin()));

  Result source = run_filter(guest("bound_filter"), "source.bin");
  Result rebound = run_filter(bound, "rebound.bin");
  ASSERT_EQ(rebound.exit_code, 0) << rebound.out;
  EXPECT_EQ(rebound.out, source.out);
  EXPECT_EQ(read_file(path("rebound.bin")), read_file(path("source.bin")));
  expect_filtered("rebound.bin");

  // inspect shows the same bindings for both.
  auto bindings = [](const std::string& text) { return text.substr(text.find("bindings (")); };
  Result i1 = run_aperture("inspect " + guest("bound_filter")), i2 = run_aperture("inspect " + bound);
  ASSERT_TRUE(contains(i1.out, "bindings (aperture.bind version 1): 2")) << i1.out;
  EXPECT_TRUE(contains(i1.out, "window of region 'input' at 0xf0000000 of memory 0, offset 0x0, size 0x10000, ro"))
      << i1.out;
  EXPECT_TRUE(contains(i1.out, "window of region 'output' at 0xf0010000 of memory 0, offset 0x0, size 0x10000, rw"))
      << i1.out;
  ASSERT_TRUE(contains(i2.out, "bindings (")) << i2.out;
  EXPECT_EQ(bindings(i1.out), bindings(i2.out));
}

TEST_F(BindTest, BindingAgainReplacesTheSectionKeepingEarlierRecords) {
  std::string once = path("once.wasm"), twice = path("twice.wasm");
  ASSERT_EQ(run_aperture("bind " + guest("bound_filter_plain") + " --map input@0xF0000000,size=64K,ro -o " + once).exit_code, 0);
  Result r = run_aperture("bind " + once + " --map output@0xF0010000,size=64K -o " + twice);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  Result i = run_aperture("inspect " + twice);
  EXPECT_TRUE(contains(i.out, "bindings (aperture.bind version 1): 2")) << i.out;
  size_t sections = 0;
  for (size_t at = i.out.find("  aperture.bind ("); at != std::string::npos; at = i.out.find("  aperture.bind (", at + 1))
    ++sections;
  EXPECT_EQ(sections, 1u) << i.out;
  Result run = run_filter(twice);
  EXPECT_EQ(run.exit_code, 0) << run.out;
  expect_filtered("output.bin");
}

TEST_F(BindTest, BindRefusesBadRequestsWithAUsageError) {
  std::string plain = guest("bound_filter_plain"), out = path("x.wasm");
  struct Case {
    std::string args, message;
  } cases[] = {
      {"", "nothing to bind"},
      {" --map input", "--map expects NAME@ADDR"},
      {" --map input@0x1234", "multiples of the page size"},
      {" --map input@0xF0000000,memory=1", "has no memory 1"},
      {" --map input@0xF0000000,color=red", "unknown option 'color'"},
      {" --map input@0xFFFFF000,size=8K", "inside the 4 GiB address space"},
      {" --memory 1=mem", "has no memory 1"},
      {" --memory 0=mem,extend", "decided when running"},
      {" --memory 0=mem --memory 0=other", "memory 0 is bound twice"},
      {" --memory x=mem", "bad address 'x'"},
  };
  for (const Case& c : cases) {
    Result r = run_aperture("bind " + plain + c.args + " -o " + out);
    EXPECT_EQ(r.exit_code, 2) << c.args << ": " << r.out;
    EXPECT_TRUE(contains(r.out, c.message)) << c.args << ": " << r.out;
  }
  Result garbage = run_aperture("bind " + path("input.bin") + " --map a@0 -o " + out);
  EXPECT_EQ(garbage.exit_code, 1) << garbage.out;
}

// A section this runtime cannot read is an error at instantiation and in inspect.
TEST_F(BindTest, AMalformedSectionIsRefusedWithItsByteOffset) {
  std::vector<uint8_t> module = read_file(guest("bound_filter_plain"));
  std::string name = "aperture.bind";
  std::vector<uint8_t> payload(32, 0);
  payload[0] = 2;  // version 2
  std::vector<uint8_t> body{static_cast<uint8_t>(name.size())};
  body.insert(body.end(), name.begin(), name.end());
  body.insert(body.end(), payload.begin(), payload.end());
  module.push_back(0);
  module.push_back(static_cast<uint8_t>(body.size()));
  module.insert(module.end(), body.begin(), body.end());
  write_file(path("v2.wasm"), module);
  Result r = run_aperture("run " + engine() + path("v2.wasm"));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "format version 2; this runtime reads version 1")) << r.out;
  Result i = run_aperture("inspect " + path("v2.wasm"));
  EXPECT_TRUE(contains(i.out, "bindings: malformed aperture.bind section")) << i.out;
}

}  // namespace
}  // namespace aperture
