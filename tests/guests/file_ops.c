// File operations WASI preview 1 added to Aperture (fd_advise, fd_allocate,
// fd_filestat_set_times, path_filestat_set_times, path_link) and exact errors
// (EISDIR, trailing slashes), compared with the same program run natively.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void report(const char* what, int ok) {
  printf("%s: %s\n", what, ok ? "ok" : strerror(errno));
}

int main(void) {
  int fd = open("data.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
  report("open data.txt", fd >= 0);
  report("write", write(fd, "hello\n", 6) == 6);
  report("posix_fadvise sequential", posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL) == 0);
  errno = posix_fadvise(fd, 0, 0, 99);
  report("posix_fadvise bad advice", errno == 0);
  errno = posix_fallocate(fd, 0, 8192);
  report("posix_fallocate 8192", errno == 0);
  struct stat st;
  fstat(fd, &st);
  printf("size after fallocate: %lld\n", (long long)st.st_size);

  struct timespec times[2] = {{1000000000, 500}, {1200000000, 0}};
  report("futimens", futimens(fd, times) == 0);
  fstat(fd, &st);
  printf("atime %lld.%09ld mtime %lld.%09ld\n", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
         (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  struct timespec omit_atime[2] = {{0, UTIME_OMIT}, {1300000000, 7}};
  report("utimensat", utimensat(AT_FDCWD, "data.txt", omit_atime, 0) == 0);
  stat("data.txt", &st);
  printf("atime %lld mtime %lld.%09ld\n", (long long)st.st_atim.tv_sec, (long long)st.st_mtim.tv_sec,
         st.st_mtim.tv_nsec);

  report("link", link("data.txt", "hard.txt") == 0);
  stat("data.txt", &st);
  printf("links: %ld\n", (long)st.st_nlink);
  report("link onto existing", link("data.txt", "hard.txt") == 0);
  report("link missing", link("missing.txt", "x.txt") == 0);
  report("unlink hard.txt", unlink("hard.txt") == 0);

  // A trailing slash on a file's name means "a directory": ENOTDIR.
  report("open data.txt/", open("data.txt/", O_RDONLY) >= 0);
  report("stat data.txt/", stat("data.txt/", &st) == 0);
  report("unlink data.txt/", unlink("data.txt/") == 0);
  report("rename data.txt/", rename("data.txt/", "other.txt") == 0);
  // ... and on a symlink whose target does not exist: ENOENT.
  report("symlink dangling", symlink("nowhere", "dangling") == 0);
  report("stat dangling/", stat("dangling/", &st) == 0);
  report("open dangling/", open("dangling/", O_RDONLY) >= 0);
  report("mkdir sub/", mkdir("sub/", 0755) == 0);
  report("rmdir sub/", rmdir("sub/") == 0);

  // A directory cannot be opened for writing or truncation: EISDIR.
  mkdir("dir", 0755);
  report("open dir O_RDWR", open("dir", O_RDWR) >= 0);
  report("open dir O_WRONLY", open("dir", O_WRONLY) >= 0);
  report("open dir O_RDONLY|O_TRUNC", open("dir", O_RDONLY | O_TRUNC) >= 0);
  report("open dir O_RDONLY", open("dir", O_RDONLY) >= 0);
  close(fd);
  return 0;
}
