// Escape attempts from the preopened directory "." (a sandbox with a symlink "link" to
// ../outside, an absolute symlink "abs_link", and a file "inside.txt"). Every escape must
// fail with ENOTCAPABLE; staying inside must work. Checked against sandbox.expected.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static void report(const char* what, int result) {
  printf("%-40s %s\n", what, result >= 0 ? "allowed" : strerror(errno));
}

int main(void) {
  report("open ../outside/secret.txt", open("../outside/secret.txt", O_RDONLY));
  report("open sub/../../outside/secret.txt", open("sub/../../outside/secret.txt", O_RDONLY));
  report("open link/secret.txt (symlink out)", open("link/secret.txt", O_RDONLY));
  report("open abs_link (absolute symlink)", open("abs_link", O_RDONLY));
  struct stat st;
  report("stat link/secret.txt", stat("link/secret.txt", &st));
  report("mkdir ../evil", mkdir("../evil", 0755));
  report("unlink ../outside/secret.txt", unlink("../outside/secret.txt"));
  report("rename inside.txt -> ../stolen.txt", rename("inside.txt", "../stolen.txt"));
  report("symlink newlink -> /etc/passwd", symlink("/etc/passwd", "newlink"));
  // libc finds no preopen for an absolute path; the raw call shows the runtime's answer.
  report("open /etc/passwd (libc)", open("/etc/passwd", O_RDONLY));
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(3, 0, "/etc/passwd", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
  printf("%-40s %s\n", "raw path_open /etc/passwd", e == __WASI_ERRNO_NOTCAPABLE ? "ENOTCAPABLE" : "other");
  e = __wasi_path_open(3, 0, "..", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
  printf("%-40s %s\n", "raw path_open ..", e == __WASI_ERRNO_NOTCAPABLE ? "ENOTCAPABLE" : "other");
  // Staying inside is fine, even through "..".
  report("open sub/../inside.txt", open("sub/../inside.txt", O_RDONLY));
  report("open inside.txt", open("inside.txt", O_RDONLY));
  return 0;
}
