// `compile` and `bind` write their output through a temporary file and a rename: a write
// that fails names the path and the reason and leaves nothing behind, and `bind` can
// rewrite its own input in place.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <cstdio>
#include <thread>

#include "cli/exit_codes.h"
#include "run_aperture.h"

namespace aperture::cli {
namespace {

namespace fs = std::filesystem;
using cli_test::contains;
using cli_test::Result;
using cli_test::run_aperture;
using cli_test::wat_module;

class OutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aperture_output_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // What is in the test directory (a failed write must leave nothing there).
  size_t entries() const { return static_cast<size_t>(std::distance(fs::directory_iterator(dir_), {})); }
  fs::path dir_;
};

TEST_F(OutputFileTest, BindRewritesItsInputInPlace) {
  fs::path m = dir_ / "m.wasm";
  fs::copy_file(wat_module("cli_demo"), m);
  const auto before = fs::file_size(m);
  Result r = run_aperture("bind " + m.string() + " --map data@0x10000,size=4K -o " + m.string());
  ASSERT_EQ(r.exit_code, kExitOk) << r.out;
  EXPECT_GT(fs::file_size(m), before) << "the section was added";
  r = run_aperture("inspect " + m.string());
  EXPECT_TRUE(contains(r.out, "data")) << r.out;
  r = run_aperture("run --region data=anon:size=4K " + m.string() + " --invoke add 3 4");  // same module otherwise
  EXPECT_EQ(r.out, "7\n");
  EXPECT_EQ(entries(), 1u) << "no temporary file left";
}

TEST_F(OutputFileTest, AWriteThatFailsNamesThePathAndTheReason) {
  const std::string missing = (dir_ / "no_such_dir" / "out.wasm").string();
  for (const std::string& cmd : {"bind " + wat_module("cli_demo") + " --map data@0x10000,size=4K -o " + missing,
                                 "compile " + wat_module("cli_demo") + " -o " + missing}) {
    Result r = run_aperture(cmd);
    EXPECT_EQ(r.exit_code, kExitError) << cmd << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "cannot write " + missing + ": No such file or directory")) << r.out;
  }
  EXPECT_EQ(entries(), 0u);
}

// A file size limit (`ulimit -f`, RLIMIT_FSIZE) makes a write past it raise SIGXFSZ, whose
// default action kills the process with a core dump; aperture ignores the signal, so the
// write fails with EFBIG and the user gets the usual message.
TEST_F(OutputFileTest, AFileSizeLimitIsAnErrorNotAKill) {
  const std::string out = (dir_ / "out.cwasm").string();
  Result r = run_aperture("compile " + wat_module("cli_demo") + " -o " + out, "ulimit -f 1;");
  EXPECT_EQ(r.exit_code, kExitError) << r.out;
  EXPECT_TRUE(contains(r.out, "cannot write " + out + ": File too large")) << r.out;
  EXPECT_EQ(entries(), 0u) << "no temporary file left";
}

TEST_F(OutputFileTest, AnOutputThatIsADirectoryIsRefusedAndLeavesNothing) {
  fs::create_directories(dir_ / "out.wasm");
  const std::string out = (dir_ / "out.wasm").string();
  Result r = run_aperture("bind " + wat_module("cli_demo") + " --map data@0x10000,size=4K -o " + out);
  EXPECT_EQ(r.exit_code, kExitError) << r.out;
  EXPECT_TRUE(contains(r.out, "cannot write " + out + ": Is a directory")) << r.out;
  EXPECT_EQ(entries(), 1u) << "only the directory: no temporary file left";
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

mode_t mode_of(const fs::path& p) {
  struct stat st;
  return lstat(p.c_str(), &st) == 0 ? st.st_mode : 0;
}

// Issue 20, item 10: the temporary file and rename replaced whatever the output path was.
// As root, `-o /dev/null` replaced /dev/null with a regular file.
TEST_F(OutputFileTest, ADeviceNodeIsWrittenInPlaceNotReplaced) {
  const fs::path null = dir_ / "null";
  ASSERT_EQ(mknod(null.c_str(), S_IFCHR | 0666, makedev(1, 3)), 0) << "the tests run as root";
  for (const std::string& cmd : {"compile " + wat_module("cli_demo") + " -o " + null.string(),
                                 "bind " + wat_module("cli_demo") + " --map data@0x10000,size=4K -o " + null.string()}) {
    Result r = run_aperture(cmd);
    EXPECT_EQ(r.exit_code, kExitOk) << cmd << ": " << r.out;
    EXPECT_TRUE(S_ISCHR(mode_of(null))) << cmd << ": the device node was replaced";
  }
  EXPECT_EQ(entries(), 1u) << "no temporary file left";
}

TEST_F(OutputFileTest, DevStdoutWritesToThePipeAndStaysALink) {
  Result r = run_aperture("compile " + wat_module("cli_demo") + " -o /dev/stdout");
  EXPECT_EQ(r.exit_code, kExitOk) << r.out;
  EXPECT_TRUE(r.out.starts_with(std::string("\0aprtcwa", 8))) << "the artifact came down the pipe";
  EXPECT_TRUE(S_ISLNK(mode_of("/dev/stdout")));
}

TEST_F(OutputFileTest, AFifoIsWrittenInPlaceForItsReader) {
  const fs::path fifo = dir_ / "fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  // The reader is another process, as a pipeline's would be; it gives up after a while
  // if the FIFO was replaced under it (and the test fails).
  std::string received;
  std::thread reader([&] {
    FILE* p = popen(("timeout 20 cat " + fifo.string()).c_str(), "r");
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, p)) received.append(buf, n);
    pclose(p);
  });
  Result r = run_aperture("bind " + wat_module("cli_demo") + " --map data@0x10000,size=4K -o " + fifo.string());
  reader.join();
  EXPECT_EQ(r.exit_code, kExitOk) << r.out;
  EXPECT_TRUE(S_ISFIFO(mode_of(fifo))) << "the FIFO was replaced";
  EXPECT_TRUE(received.starts_with(std::string("\0asm", 4))) << "the reader got the module";
  EXPECT_EQ(entries(), 1u) << "no temporary file left";
}

TEST_F(OutputFileTest, ASocketIsRefusedClearly) {
  const fs::path sock = dir_ / "sock";
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock.c_str());
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  Result r = run_aperture("compile " + wat_module("cli_demo") + " -o " + sock.string());
  ::close(s);
  EXPECT_EQ(r.exit_code, kExitError) << r.out;
  EXPECT_TRUE(contains(r.out, "cannot write " + sock.string() + ": it is a socket")) << r.out;
  EXPECT_TRUE(S_ISSOCK(mode_of(sock)));
  EXPECT_EQ(entries(), 1u);
}

TEST_F(OutputFileTest, ASymlinkKeepsPointingAtItsTargetWhichIsReplacedWithItsMode) {
  const fs::path target = dir_ / "target.wasm", link = dir_ / "link.wasm";
  std::ofstream(target) << "old contents";
  ASSERT_EQ(chmod(target.c_str(), 0640), 0);
  fs::create_symlink("target.wasm", link);
  Result r = run_aperture("bind " + wat_module("cli_demo") + " --map data@0x10000,size=4K -o " + link.string());
  EXPECT_EQ(r.exit_code, kExitOk) << r.out;
  ASSERT_TRUE(S_ISLNK(mode_of(link))) << "the link was replaced by a file";
  EXPECT_EQ(fs::read_symlink(link), "target.wasm");
  EXPECT_TRUE(read_file(target).starts_with(std::string("\0asm", 4))) << "the target holds the module";
  EXPECT_EQ(mode_of(target) & 07777, 0640u) << "the target keeps its mode";

  // A link to a file that does not exist yet creates the file, and stays a link.
  const fs::path dangling = dir_ / "dangling.wasm";
  fs::create_symlink("created.wasm", dangling);
  r = run_aperture("compile " + wat_module("cli_demo") + " -o " + dangling.string());
  EXPECT_EQ(r.exit_code, kExitOk) << r.out;
  EXPECT_TRUE(S_ISLNK(mode_of(dangling)));
  EXPECT_TRUE(S_ISREG(mode_of(dir_ / "created.wasm")));
  EXPECT_EQ(entries(), 4u) << "target, link, dangling link and created file; no temporary file";
}

TEST_F(OutputFileTest, AnExistingFileKeepsItsModeAndANewOneFollowsTheUmask) {
  const fs::path out = dir_ / "out.cwasm";
  std::ofstream(out) << "old";
  ASSERT_EQ(chmod(out.c_str(), 0751), 0);
  Result r = run_aperture("compile " + wat_module("cli_demo") + " -o " + out.string());
  EXPECT_EQ(r.exit_code, kExitOk) << r.out;
  EXPECT_EQ(mode_of(out) & 07777, 0751u);
  const fs::path fresh = dir_ / "fresh.cwasm";
  r = run_aperture("compile " + wat_module("cli_demo") + " -o " + fresh.string(), "umask 027;");
  EXPECT_EQ(r.exit_code, kExitOk) << r.out;
  EXPECT_EQ(mode_of(fresh) & 07777, 0640u) << "0666 less the umask, as any new file";
}

// Issue 20, item 11: the temporary file was PATH.tmp<PID>, opened with O_CREAT|O_TRUNC
// and without O_EXCL|O_NOFOLLOW: a symbolic link planted under that name in a shared
// directory made `aperture compile` overwrite the file it points to. The child below
// plants the link under its own pid, then becomes `aperture` (exec keeps the pid).
TEST_F(OutputFileTest, APlantedTemporaryNameIsNotFollowed) {
  const fs::path victim = dir_ / "victim", out = dir_ / "out.cwasm";
  std::ofstream(victim) << "precious";
  const std::string binary = std::string(APERTURE_BINARY_DIR) + "/aperture";
  const std::string module = wat_module("cli_demo");
  pid_t pid = fork();
  if (pid == 0) {
    std::string planted = out.string() + ".tmp" + std::to_string(getpid());
    if (symlink(victim.c_str(), planted.c_str()) != 0) _exit(100);
    int devnull = ::open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execl(binary.c_str(), binary.c_str(), "compile", module.c_str(), "-o", out.c_str(), nullptr);
    _exit(101);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), kExitOk);
  EXPECT_EQ(read_file(victim), "precious") << "the planted link was followed";
  EXPECT_TRUE(S_ISREG(mode_of(out))) << "the output is a file of its own, not the planted link";
  EXPECT_FALSE(read_file(out).empty());
}

}  // namespace
}  // namespace aperture::cli
