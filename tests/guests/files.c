// Files in the current directory (a preopen for wasm): create, write, read, seek,
// append, truncate, rename, delete.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int check(int ok, const char* what) {
  printf("%-28s %s\n", what, ok ? "ok" : strerror(errno));
  return ok;
}

int main(void) {
  FILE* f = fopen("data.txt", "w");
  check(f != NULL, "create");
  for (int i = 0; i < 100; i++) fprintf(f, "line %03d\n", i);
  check(fclose(f) == 0, "close after write");

  f = fopen("data.txt", "r");
  char buf[32];
  check(fseek(f, 9 * 50, SEEK_SET) == 0, "seek to line 50");
  check(fgets(buf, sizeof buf, f) != NULL, "read line");
  printf("line at 450: %s", buf);
  check(fseek(f, -9, SEEK_END) == 0, "seek from end");
  fgets(buf, sizeof buf, f);
  printf("last line: %s", buf);
  printf("tell: %ld\n", ftell(f));
  fclose(f);

  int fd = open("data.txt", O_WRONLY | O_APPEND);
  check(fd >= 0, "open append");
  check(write(fd, "appended\n", 9) == 9, "append");
  close(fd);
  struct stat st;
  check(stat("data.txt", &st) == 0, "stat");
  printf("size after append: %lld\n", (long long)st.st_size);

  fd = open("data.txt", O_RDWR);
  check(pwrite(fd, "LINE", 4, 0) == 4, "pwrite at 0");
  char head[10] = {0};
  check(pread(fd, head, 9, 0) == 9, "pread at 0");
  printf("head: %s", head);
  check(ftruncate(fd, 18) == 0, "truncate to 2 lines");
  close(fd);
  stat("data.txt", &st);
  printf("size after truncate: %lld\n", (long long)st.st_size);

  check(rename("data.txt", "renamed.txt") == 0, "rename");
  check(access("data.txt", F_OK) != 0 && errno == ENOENT, "old name is gone");
  check(unlink("renamed.txt") == 0, "delete");
  check(open("renamed.txt", O_RDONLY) < 0 && errno == ENOENT, "deleted file cannot open");
  check(open("no/such/dir/file", O_RDONLY) < 0 && errno == ENOENT, "missing path is ENOENT");
  return 0;
}
