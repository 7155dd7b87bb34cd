// Directories: create, list (sorted, without . and ..), nested paths, remove.
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

static void list(const char* path) {
  DIR* d = opendir(path);
  if (!d) { printf("opendir %s: %s\n", path, strerror(errno)); return; }
  char* names[64];
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d)) && n < 64) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmp);
  printf("%s:", path);
  for (int i = 0; i < n; i++) { printf(" %s", names[i]); free(names[i]); }
  printf("\n");
}

int main(void) {
  int r = mkdir("tree", 0755);
  printf("mkdir: %d\n", r);
  r = mkdir("tree", 0755);
  printf("mkdir again: %d %s\n", r, strerror(errno));
  mkdir("tree/sub", 0755);
  const char* files[] = {"tree/b.txt", "tree/a.txt", "tree/sub/c.txt", "tree/z.dat"};
  for (int i = 0; i < 4; i++) { FILE* f = fopen(files[i], "w"); fputs(files[i], f); fclose(f); }
  list("tree");
  list("tree/sub");
  struct stat st;
  stat("tree/sub", &st);
  printf("tree/sub is a directory: %d\n", S_ISDIR(st.st_mode));
  r = rmdir("tree/sub");
  printf("rmdir non-empty: %d %s\n", r, strerror(errno));
  unlink("tree/sub/c.txt");
  printf("rmdir empty: %d\n", rmdir("tree/sub"));
  for (int i = 0; i < 4; i++) unlink(files[i]);
  list("tree");
  printf("rmdir tree: %d\n", rmdir("tree"));
  return 0;
}
