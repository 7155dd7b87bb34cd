// Host access to guest memory never kills the runtime: a window whose backing file is
// shorter than the window (truncated by another process, by the guest itself through
// WASI, or a region larger than its file) makes WASI calls return EFAULT and the guest
// API return -EFAULT; guest loads there trap. Real processes: the `aperture` command runs
// as a child, the truncation happens in this (another) process or in the guest.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <string>
#include <vector>

namespace {

constexpr int kTrap = 134;
const std::string kEfault = "21";
const uint64_t kPage = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
const std::string kWindow = "0x10000000";

struct Child {
  pid_t pid = -1;
  int in = -1;   // the child's stdin
  int out = -1;  // the child's stdout and stderr
};

// Starts `aperture ARGS...` with pipes for stdin and stdout+stderr.
Child spawn(const std::vector<std::string>& args) {
  int to_child[2], from_child[2];
  if (pipe(to_child) != 0 || pipe(from_child) != 0) return {};
  Child c;
  c.pid = fork();
  if (c.pid == 0) {
    dup2(to_child[0], 0);
    dup2(from_child[1], 1);
    dup2(from_child[1], 2);
    close(to_child[1]);
    close(from_child[0]);
    std::string exe = std::string(APERTURE_BINARY_DIR) + "/aperture";
    std::vector<char*> argv{exe.data()};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(exe.c_str(), argv.data());
    _exit(127);
  }
  close(to_child[0]);
  close(from_child[1]);
  c.in = to_child[1];
  c.out = from_child[0];
  return c;
}

// Reads the child's output up to and including `line`, or to EOF.
std::string read_until(int fd, const std::string& line) {
  std::string text;
  char ch;
  while (text.find(line) == std::string::npos && read(fd, &ch, 1) == 1) text += ch;
  return text;
}

struct Finished {
  int exit_code = -1;  // 128 + signal when the runtime died
  std::string out;
};

Finished finish(Child& c, std::string out_so_far = "") {
  close(c.in);
  Finished f;
  f.out = std::move(out_so_far);
  std::array<char, 4096> buf;
  ssize_t n;
  while ((n = read(c.out, buf.data(), buf.size())) > 0) f.out.append(buf.data(), static_cast<size_t>(n));
  close(c.out);
  int status = 0;
  waitpid(c.pid, &status, 0);
  f.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return f;
}

Finished run(const std::vector<std::string>& args) {
  Child c = spawn(args);
  return finish(c);
}

std::string module() { return std::string(APERTURE_WAT_DIR) + "/host_faults.wasm"; }

std::string window_plus(uint64_t bytes) {
  return std::to_string(0x10000000ull + bytes);
}

class HostFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::string(APERTURE_BINARY_DIR) + "/host_faults_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    mkdir(dir_.c_str(), 0700);
    file_ = dir_ + "/backing.bin";
  }
  void TearDown() override {
    unlink(file_.c_str());
    rmdir(dir_.c_str());
  }
  void make_file(uint64_t size) {
    int fd = open(file_.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(ftruncate(fd, static_cast<off_t>(size)), 0);
    close(fd);
  }
  std::string dir_, file_;
};

TEST_F(HostFaultTest, AnotherProcessTruncatesTheFileWhileFdWriteReadsIovecsFromTheWindow) {
  make_file(2 * kPage);
  Child c = spawn({"run", "--region", "f=file:" + file_, "--map", "f@" + kWindow + ",rw", module(),
                   "--invoke", "external_truncate", kWindow});
  ASSERT_GT(c.pid, 0);
  std::string out = read_until(c.out, "ready\n");
  ASSERT_EQ(out, "ready\n") << "the guest stored its iovec in the window and waits";
  ASSERT_EQ(truncate(file_.c_str(), 0), 0);  // this process, not the runtime
  ASSERT_EQ(write(c.in, "g", 1), 1);
  Finished f = finish(c, out);
  EXPECT_EQ(f.exit_code, 0) << f.out;
  EXPECT_EQ(f.out, "ready\n" + kEfault + "\n") << "fd_write returns EFAULT";
}

TEST_F(HostFaultTest, GuestTruncatesItsOwnBackingThroughWasi) {
  make_file(2 * kPage);
  Finished f = run({"run", "--dir", dir_ + "::/data", "--region", "f=file:" + file_, "--map",
                    "f@" + kWindow + ",rw", module(), "--invoke", "self_truncate", kWindow});
  EXPECT_EQ(f.exit_code, 0) << f.out;
  EXPECT_EQ(f.out, kEfault + "\n" + kEfault + "\n") << "iovec array and data in the window";
  struct stat st;
  ASSERT_EQ(stat(file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 0) << "the guest really truncated the file";
}

TEST_F(HostFaultTest, DeviceRegionLargerThanItsFile) {
  make_file(kPage);  // the region below asks for 2 pages of a 1-page file
  std::vector<std::string> region = {"--region", "d=dev:" + file_ + ",offset=0,size=" +
                                                      std::to_string(2 * kPage),
                                     "--map", "d@" + kWindow + ",rw", "--grant", "d:rw"};
  std::vector<std::string> args = {"run"};
  args.insert(args.end(), region.begin(), region.end());
  args.insert(args.end(), {module(), "--invoke", "beyond_eof", window_plus(kPage)});
  Finished f = run(args);
  EXPECT_EQ(f.exit_code, 0) << f.out;
  EXPECT_EQ(f.out, kEfault + "\n" + kEfault + "\n" + kEfault + "\n" + kEfault + "\n" + kEfault +
                       "\n-" + kEfault + "\n")
      << "fd_write (iovecs, data), random_get, args_get, clock_time_get, region_open";

  // The first page is backed: the same calls work there (the test can fail both ways).
  args.back() = kWindow;
  f = run(args);
  EXPECT_EQ(f.exit_code, 0) << f.out;
  EXPECT_NE(f.out.find("\n0\n0\n0\n"), std::string::npos)
      << "random_get, args_get and clock_time_get succeed: " << f.out;

  // A guest load beyond the file's end is a trap, not a crash.
  args[args.size() - 2] = "load";
  args.back() = window_plus(kPage);
  f = run(args);
  EXPECT_EQ(f.exit_code, kTrap) << f.out;
  EXPECT_NE(f.out.find("bus error in window of region"), std::string::npos) << f.out;
}

}  // namespace
