// The examples of docs/regions.md marked `<!-- tested: NAME -->` run here as written: shell
// blocks with bash (with `aperture` on PATH, in a scratch directory holding the files they
// name), C blocks must appear verbatim in the guest program the other tests build and run.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "cli/run_aperture.h"

namespace aperture {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// The fenced block after the marker `<!-- tested: name -->`, without its fences.
std::string tested_block(const std::string& name) {
  std::string doc = read_text(std::string(APERTURE_SOURCE_DIR) + "/docs/regions.md");
  size_t marker = doc.find("<!-- tested: " + name + " -->");
  if (marker == std::string::npos) return "";
  size_t open = doc.find("```", marker);
  size_t body = doc.find('\n', open) + 1;
  size_t close = doc.find("\n```", body);
  return doc.substr(body, close + 1 - body);
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

class DocsExamplesTest : public ::testing::Test {
 public:
  void SetUp() override {
    char tmpl[] = "/tmp/aperture_docs_XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  void copy(const std::string& from, const std::string& to) {
    std::ofstream(dir_ + "/" + to, std::ios::binary) << read_text(from);
  }
  // Runs `script` with bash -e in the scratch directory: exit status and output.
  cli_test::Result run_script(const std::string& script) {
    std::ofstream(dir_ + "/example.sh") << script;
    std::string cmd = "cd " + dir_ + " && PATH=" + APERTURE_BINARY_DIR + ":$PATH bash -e -o pipefail example.sh 2>&1";
    cli_test::Result r;
    FILE* p = popen(cmd.c_str(), "r");
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, p)) r.out.append(buf, n);
    int status = pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    return r;
  }
  std::string dir_;
};

// Runs the shell block `name`, whose shm object `shm` gets a name of this process, with
// `module` (a test module) in the scratch directory: its output.
std::string run_region_memory_example(DocsExamplesTest& t, const std::string& name, const std::string& shm,
                                      const std::string& module) {
  std::string script = tested_block(name);
  if (script.empty()) return "docs/regions.md lost its " + name + " example";
  replace_all(script, shm, "/aperture_docs_" + shm.substr(1) + "_" + std::to_string(getpid()));
  t.copy(std::string(APERTURE_WAT_DIR) + "/" + module, module);
  cli_test::Result r = t.run_script(script);
  return r.exit_code == 0 ? r.out : "exit status " + std::to_string(r.exit_code) + ": " + r.out;
}

TEST_F(DocsExamplesTest, RegionBackedMemoryExampleRunsAsDocumented) {
  std::string out = run_region_memory_example(*this, "region-backed-memory", "/shared-heap", "imported_memory.wasm");
  // get 16 prints 7, grow 1 prints 1, grow 2 prints -1 (the comments in the example).
  EXPECT_NE(out.find("\n7\n1\n-1\n"), std::string::npos) << out;
}

TEST_F(DocsExamplesTest, DefinedMemoryExampleRunsAsDocumented) {
  std::string out = run_region_memory_example(*this, "defined-memory", "/counters", "defined_memory.wasm");
  // get 16 prints 7, the grows -1, 1 and 1 (the comments in the example).
  EXPECT_NE(out.find("\n7\n-1\n1\n1\n"), std::string::npos) << out;
}

// Two programs that each take half of a 1 MiB heap and end without freeing it run one
// after the other on the same heap: the first one's block went when it ended (issue 24).
TEST_F(DocsExamplesTest, SharedHeapExampleRunsAsDocumented) {
#ifndef APERTURE_GUESTS_BUILT
  GTEST_SKIP() << "configured with APERTURE_BUILD_GUESTS=OFF";
#endif
  std::string script = tested_block("shared-heap");
  ASSERT_FALSE(script.empty());
  std::string shm = "/aperture_docs_line3_heap_" + std::to_string(getpid());
  replace_all(script, "/line3_heap", shm);
  std::string app = std::string(APERTURE_BINARY_DIR) + "/region_guests/heap_app.wasm";
  copy(app, "app.wasm");
  copy(app, "other.wasm");
  cli_test::Result r = run_script(script);
  shm_unlink(shm.c_str());  // when the example failed before its own `region rm`
  ASSERT_EQ(r.exit_code, 0) << r.out;
  size_t first = r.out.find("512 KiB of the shared heap at ");
  ASSERT_NE(first, std::string::npos) << r.out;
  EXPECT_NE(r.out.find("512 KiB of the shared heap at ", first + 1), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 blocks in use"), std::string::npos) << r.out;
}

// Chained heaps: the second program finds heap a half full and gets its 512 KiB from heap
// b, directly below a (docs/regions.md, "Chained heaps").
TEST_F(DocsExamplesTest, SharedHeapChainExampleRunsAsDocumented) {
#ifndef APERTURE_GUESTS_BUILT
  GTEST_SKIP() << "configured with APERTURE_BUILD_GUESTS=OFF";
#endif
  std::string script = tested_block("shared-heap-chain");
  ASSERT_FALSE(script.empty());
  std::string a = "/aperture_docs_chain_a_" + std::to_string(getpid());
  std::string b = "/aperture_docs_chain_b_" + std::to_string(getpid());
  replace_all(script, "/line3_a", a);
  replace_all(script, "/line3_b", b);
  std::string app = std::string(APERTURE_BINARY_DIR) + "/region_guests/heap_app.wasm";
  copy(app, "app.wasm");
  copy(app, "other.wasm");
  cli_test::Result r = run_script(script);
  shm_unlink(a.c_str());
  shm_unlink(b.c_str());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  unsigned long first = 0, second = 0;
  size_t at = r.out.find("512 KiB of the shared heap at ");
  ASSERT_NE(at, std::string::npos) << r.out;
  ASSERT_EQ(std::sscanf(r.out.c_str() + at, "512 KiB of the shared heap at 0x%lx", &first), 1) << r.out;
  at = r.out.find("512 KiB of the shared heap at ", at + 1);
  ASSERT_NE(at, std::string::npos) << r.out;
  ASSERT_EQ(std::sscanf(r.out.c_str() + at, "512 KiB of the shared heap at 0x%lx", &second), 1) << r.out;
  // Heap a starts at 4 GiB - capacity (its first block), heap b a capacity below it.
  const unsigned long capacity = (1ul << 32) - first;
  EXPECT_EQ(second, first - capacity) << r.out;
  size_t one = r.out.find("1 block in use");
  ASSERT_NE(one, std::string::npos) << "each heap holds one kept block: " << r.out;
  EXPECT_NE(r.out.find("1 block in use", one + 1), std::string::npos) << r.out;
}

TEST_F(DocsExamplesTest, GuestSourceExampleIsTheBuiltGuestsSource) {
  std::string block = tested_block("guest-source");
  ASSERT_FALSE(block.empty());
  std::string source = read_text(std::string(APERTURE_SOURCE_DIR) + "/tests/region/guests/bound_filter.c");
  std::istringstream lines(block);
  for (std::string line; std::getline(lines, line);)
    EXPECT_NE(source.find(line), std::string::npos) << "not in bound_filter.c: " << line;
}

TEST_F(DocsExamplesTest, BindCommandExampleRunsAsDocumented) {
#ifndef APERTURE_GUESTS_BUILT
  GTEST_SKIP() << "configured with APERTURE_BUILD_GUESTS=OFF";
#endif
  std::string script = tested_block("bind-command");
  ASSERT_FALSE(script.empty());
  std::string guests = std::string(APERTURE_BINARY_DIR) + "/region_guests/";
  copy(guests + "bound_filter.wasm", "filter.wasm");
  copy(guests + "bound_filter_plain.wasm", "filter_plain.wasm");
  std::string input(65536, '\0');
  int32_t n = 3, samples[3] = {1, 2, 3};
  std::memcpy(input.data(), &n, 4);
  std::memcpy(input.data() + 4, samples, sizeof samples);
  std::ofstream(dir_ + "/input.bin", std::ios::binary) << input;
  cli_test::Result r = run_script(script);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  // Both runs filter the 3 samples (4 + 7 + 10); the inspect lines are the documented ones.
  std::string ran = "filtered 3 samples, sum 21\n";
  size_t first = r.out.find(ran);
  ASSERT_NE(first, std::string::npos) << r.out;
  EXPECT_NE(r.out.find(ran, first + 1), std::string::npos) << r.out;
  std::string doc = read_text(std::string(APERTURE_SOURCE_DIR) + "/docs/regions.md");
  std::string shown = r.out.substr(r.out.find("bindings ("));
  std::istringstream lines(shown);
  for (std::string line; std::getline(lines, line);)
    EXPECT_NE(doc.find("    " + line + "\n"), std::string::npos) << "not documented: " << line;
  EXPECT_EQ(read_text(dir_ + "/output.bin"), read_text(dir_ + "/output2.bin"));
}

}  // namespace
}  // namespace aperture
