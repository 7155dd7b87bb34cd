// What wasi-testsuite's path_open_preopen expects of a preopened directory (fd 3): the
// directory rights every libc relies on, opening "." through it with its own rights, with
// none, with O_DIRECTORY and the read right, and EISDIR for O_DIRECTORY with the write
// right (a directory is never writable). Prints each check that fails; exit status 0 when
// all pass.
#include <stdio.h>
#include <wasi/api.h>

static int failures = 0;

static void expect(const char* what, __wasi_errno_t got, __wasi_errno_t want) {
  if (got != want) {
    printf("%s: errno %d, expected %d\n", what, (int)got, (int)want);
    ++failures;
  }
}

static void expect_open(const char* what, __wasi_oflags_t oflags, __wasi_rights_t base,
                        __wasi_rights_t inheriting, __wasi_errno_t want) {
  __wasi_fd_t fd = 0;
  __wasi_errno_t e = __wasi_path_open(3, 0, ".", oflags, base, inheriting, 0, &fd);
  expect(what, e, want);
  if (e == 0) (void)__wasi_fd_close(fd);
}

int main(void) {
  __wasi_prestat_t pre;
  expect("fd_prestat_get(3)", __wasi_fd_prestat_get(3, &pre), 0);
  if (pre.tag != __WASI_PREOPENTYPE_DIR) {
    printf("fd 3 is not a preopened directory\n");
    ++failures;
  }
  __wasi_fdstat_t st;
  expect("fd_fdstat_get(3)", __wasi_fd_fdstat_get(3, &st), 0);

  const __wasi_rights_t dir_rights =
      __WASI_RIGHTS_PATH_CREATE_DIRECTORY | __WASI_RIGHTS_PATH_CREATE_FILE | __WASI_RIGHTS_PATH_LINK_SOURCE |
      __WASI_RIGHTS_PATH_LINK_TARGET | __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR |
      __WASI_RIGHTS_PATH_READLINK | __WASI_RIGHTS_PATH_RENAME_SOURCE | __WASI_RIGHTS_PATH_RENAME_TARGET |
      __WASI_RIGHTS_PATH_SYMLINK | __WASI_RIGHTS_PATH_REMOVE_DIRECTORY | __WASI_RIGHTS_PATH_UNLINK_FILE |
      __WASI_RIGHTS_PATH_FILESTAT_GET | __WASI_RIGHTS_PATH_FILESTAT_SET_TIMES | __WASI_RIGHTS_FD_FILESTAT_GET |
      __WASI_RIGHTS_FD_FILESTAT_SET_TIMES;
  const __wasi_rights_t file_rights =
      __WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK |
      __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS | __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_WRITE |
      __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_GET |
      __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES | __WASI_RIGHTS_POLL_FD_READWRITE;
  if ((st.fs_rights_base & dir_rights) != dir_rights) {
    printf("preopen base rights lack %llx\n", (unsigned long long)(dir_rights & ~st.fs_rights_base));
    ++failures;
  }
  if ((st.fs_rights_inheriting & (dir_rights | file_rights)) != (dir_rights | file_rights)) {
    printf("preopen inheriting rights lack %llx\n",
           (unsigned long long)((dir_rights | file_rights) & ~st.fs_rights_inheriting));
    ++failures;
  }

  expect_open("open . with the preopen's own rights", 0, st.fs_rights_base, st.fs_rights_inheriting, 0);
  expect_open("open . with no rights", 0, 0, 0, 0);
  expect_open("open . O_DIRECTORY with no rights", __WASI_OFLAGS_DIRECTORY, 0, 0, 0);
  expect_open("open . O_DIRECTORY with read", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ, 0, 0);
  expect_open("open . O_DIRECTORY with read and write", __WASI_OFLAGS_DIRECTORY,
              __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, __WASI_ERRNO_ISDIR);
  expect_open("open . O_DIRECTORY with write", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_WRITE, 0,
              __WASI_ERRNO_ISDIR);
  expect_open("open . with read and write", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0,
              __WASI_ERRNO_ISDIR);
  // A file named with O_DIRECTORY is not a directory, whatever the rights asked.
  __wasi_fd_t file = 0;
  expect("create file.txt", __wasi_path_open(3, 0, "file.txt", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0, &file), 0);
  (void)__wasi_fd_close(file);
  expect("open file.txt O_DIRECTORY with read and write",
         __wasi_path_open(3, 0, "file.txt", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE,
                          0, 0, &file),
         __WASI_ERRNO_NOTDIR);
  if (failures == 0) printf("path_open_preopen: all checks pass\n");
  return failures == 0 ? 0 : 1;
}
