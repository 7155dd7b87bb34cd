// Every command ends with a clear error when the host runs out of memory: `validate`,
// `inspect` and `run` of a module whose decoded form does not fit, under an address-space
// limit (RLIMIT_AS) just above what the command needs for a tiny module. A crash (SIGABRT
// from an uncaught std::bad_alloc) would show up as exit code 134 or "terminate called".
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <string>
#include <vector>

namespace {

struct Result {
  int exit_code = -1;  // 128 + signal when the process died of one
  std::string out;
};

// Runs `aperture ARGS` with its address space limited to `limit` bytes.
Result run_limited(uint64_t limit, const std::vector<std::string>& args) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  pid_t pid = fork();
  if (pid == 0) {
    rlimit rl{limit, limit};
    setrlimit(RLIMIT_AS, &rl);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    std::string exe = std::string(APERTURE_BINARY_DIR) + "/aperture";
    std::vector<char*> argv{exe.data()};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(exe.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  Result r;
  std::array<char, 4096> buf;
  ssize_t n;
  while ((n = read(fds[0], buf.data(), buf.size())) > 0) r.out.append(buf.data(), static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

void leb(std::vector<uint8_t>& out, uint64_t v) {
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    out.push_back(v ? byte | 0x80 : byte);
  } while (v);
}

void section(std::vector<uint8_t>& m, uint8_t id, const std::vector<uint8_t>& payload) {
  m.push_back(id);
  leb(m, payload.size());
  m.insert(m.end(), payload.begin(), payload.end());
}

// A valid module exporting "f", one function of `nops` nop instructions.
std::string write_module(const std::string& name, uint64_t nops) {
  std::vector<uint8_t> m = {0, 'a', 's', 'm', 1, 0, 0, 0};
  section(m, 1, {1, 0x60, 0, 0});           // type 0: [] -> []
  section(m, 3, {1, 0});                    // one function of type 0
  section(m, 7, {1, 1, 'f', 0, 0});         // export "f" = func 0
  std::vector<uint8_t> body = {0};          // no locals
  body.insert(body.end(), nops, 0x01);
  body.push_back(0x0b);
  std::vector<uint8_t> code = {1};
  leb(code, body.size());
  code.insert(code.end(), body.begin(), body.end());
  section(m, 10, code);
  std::string path = std::string(APERTURE_BINARY_DIR) + "/" + name + "_" + std::to_string(getpid()) + ".wasm";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(m.data()),
                                              static_cast<std::streamsize>(m.size()));
  return path;
}

// The smallest address-space limit (1 MiB steps) under which `args` succeeds.
uint64_t smallest_working_limit(const std::vector<std::string>& args) {
  uint64_t lo = 1 << 20, hi = 4ull << 30;  // lo fails, hi works
  if (run_limited(hi, args).exit_code != 0) return 0;
  while (hi - lo > (1 << 20)) {
    uint64_t mid = lo + (hi - lo) / 2;
    (run_limited(mid, args).exit_code == 0 ? hi : lo) = mid;
  }
  return hi;
}

class OutOfMemoryTest : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(OutOfMemoryTest, EndsWithAClearError) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer reserves terabytes of shadow memory: RLIMIT_AS cannot apply";
#endif
  std::string tiny = write_module("oom_tiny", 1);
  std::string big = write_module("oom_big", 2'000'000);  // 2 MB of code, ~64 MB decoded
  std::vector<std::string> args = GetParam();
  std::vector<std::string> tiny_args = args, big_args = args;
  tiny_args.insert(tiny_args.begin() + 1, tiny);
  big_args.insert(big_args.begin() + 1, big);
  uint64_t limit = smallest_working_limit(tiny_args);
  ASSERT_NE(limit, 0u) << "the tiny module fails even without a tight limit";
  ASSERT_EQ(run_limited(4ull << 30, big_args).exit_code, 0) << "the big module works with enough memory";

  Result r = run_limited(limit + (16 << 20), big_args);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("error: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("out of memory: the module needs more host memory"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("terminate called"), std::string::npos) << r.out;
  unlink(tiny.c_str());
  unlink(big.c_str());
}

INSTANTIATE_TEST_SUITE_P(Commands, OutOfMemoryTest,
                         ::testing::Values(std::vector<std::string>{"validate"},
                                           std::vector<std::string>{"inspect"},
                                           std::vector<std::string>{"run", "--invoke", "f"}),
                         [](const auto& info) { return info.param[0]; });

}  // namespace
