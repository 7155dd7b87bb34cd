#include "cli/output_file.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "aperture/error.h"

namespace aperture::cli {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& reason) {
  throw Error("cannot write " + path + ": " + reason);
}

// What `path` finally names: itself, or the end of its chain of symbolic links (a file
// that may not exist yet). Writing goes there, so the links stay links.
std::string resolve_links(const std::string& path) {
  std::string p = path;
  for (int depth = 0; depth < 40; ++depth) {  // as the kernel's MAXSYMLINKS
    char target[PATH_MAX];
    ssize_t n = ::readlink(p.c_str(), target, sizeof target);
    if (n < 0) return p;  // not a link (or nothing there: the open will say)
    if (static_cast<size_t>(n) == sizeof target) fail(path, std::strerror(ENAMETOOLONG));
    std::string next(target, static_cast<size_t>(n));
    size_t slash = p.rfind('/');
    if (next[0] != '/' && slash != std::string::npos) next = p.substr(0, slash + 1) + next;
    p = next;
  }
  fail(path, std::strerror(ELOOP));
}

// 0, or the errno of a write that failed.
int write_all(int fd, const std::vector<uint8_t>& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : EIO;
    done += static_cast<size_t>(n);
  }
  return 0;
}

// A device or a FIFO is written as it is (`-o /dev/null`, `-o /dev/stdout`, a pipeline's
// FIFO); replacing it with a file would destroy it. The path is opened as given, links
// followed, since /dev/stdout's /proc/self/fd/1 reopens a pipe only that way; what was
// opened must be what was seen. A FIFO's open waits for its reader.
void write_in_place(const std::string& path, const struct stat& expected, const std::vector<uint8_t>& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) fail(path, std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || (st.st_mode & S_IFMT) != (expected.st_mode & S_IFMT) ||
      st.st_ino != expected.st_ino || st.st_dev != expected.st_dev) {
    ::close(fd);
    fail(path, "it changed while being opened; try again");
  }
  int err = write_all(fd, bytes);
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) fail(path, std::strerror(err));
}

// A regular file (or none yet) is replaced whole: a temporary file beside it, created
// with O_EXCL under a name of its own (mkstemp: a name someone planted, a symbolic link
// to their choice, is never opened), then renamed over it. It gets the mode (and, as
// root, the owner) of the file it replaces, or the usual 0666 less the umask.
void replace_file(const std::string& path, const std::string& target, const struct stat* existing,
                  const std::vector<uint8_t>& bytes) {
  std::string temp = target + ".XXXXXX";
  int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) fail(path, std::strerror(errno));
  mode_t mode;
  if (existing != nullptr) {
    if (existing->st_uid != geteuid() || existing->st_gid != getegid())
      (void)fchown(fd, existing->st_uid, existing->st_gid);  // only root may; others own the copy
    mode = existing->st_mode & 07777;
  } else {
    mode_t mask = ::umask(0);  // the CLI writes its output from one thread
    ::umask(mask);
    mode = 0666 & ~mask;
  }
  int err = fchmod(fd, mode) != 0 ? errno : write_all(fd, bytes);
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(temp.c_str(), target.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(temp.c_str());
    fail(path, std::strerror(err));
  }
}

}  // namespace

void write_output_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {  // what the path leads to, links followed
    if (S_ISDIR(st.st_mode)) fail(path, std::strerror(EISDIR));
    if (S_ISSOCK(st.st_mode)) fail(path, "it is a socket; name a file, a device or a FIFO");
    if (!S_ISREG(st.st_mode)) return write_in_place(path, st, bytes);  // devices, FIFOs
  }
  // A regular file, or none yet: replaced through its real name, so a link stays a link.
  std::string target = resolve_links(path);
  if (::lstat(target.c_str(), &st) != 0) {
    if (errno != ENOENT) fail(path, std::strerror(errno));
    return replace_file(path, target, nullptr, bytes);
  }
  if (!S_ISREG(st.st_mode)) fail(path, "it changed while being written; try again");
  replace_file(path, target, &st, bytes);
}

}  // namespace aperture::cli
