// WASI rights (reported, enforced, dropped, inherited) and the errors WASI defines where
// native behaviour differs or does not exist; each line is compared with rights.expected.
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

static void show(const char* what, __wasi_errno_t e) { printf("%s: %d\n", what, (int)e); }

static __wasi_fdstat_t fdstat(int fd) {
  __wasi_fdstat_t st;
  memset(&st, 0, sizeof st);
  if (__wasi_fd_fdstat_get(fd, &st) != 0) printf("fdstat %d failed\n", fd);
  return st;
}

int main(void) {
  int w = open("file.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
  write(w, "0123456789", 10);
  close(w);

  // A descriptor opened read-only reports and enforces only read rights.
  int r = open("file.txt", O_RDONLY);
  __wasi_fdstat_t st = fdstat(r);
  printf("read-only: read %d write %d seek %d\n", !!(st.fs_rights_base & __WASI_RIGHTS_FD_READ),
         !!(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE), !!(st.fs_rights_base & __WASI_RIGHTS_FD_SEEK));
  __wasi_ciovec_t out = {(const uint8_t*)"x", 1};
  __wasi_size_t n = 0;
  show("fd_write on read-only", __wasi_fd_write(r, &out, 1, &n));
  show("fd_allocate on read-only", __wasi_fd_allocate(r, 0, 100));
  show("fd_filestat_set_size on read-only", __wasi_fd_filestat_set_size(r, 0));

  // Rights can be dropped, never regained.
  show("drop seek", __wasi_fd_fdstat_set_rights(r, st.fs_rights_base & ~__WASI_RIGHTS_FD_SEEK &
                                                       ~__WASI_RIGHTS_FD_TELL, 0));
  __wasi_filesize_t pos = 0;
  show("fd_seek after dropping seek", __wasi_fd_seek(r, 2, __WASI_WHENCE_SET, &pos));
  show("fd_tell after dropping tell", __wasi_fd_tell(r, &pos));
  show("regain seek", __wasi_fd_fdstat_set_rights(r, st.fs_rights_base, 0));
  printf("reported after drop: seek %d\n", !!(fdstat(r).fs_rights_base & __WASI_RIGHTS_FD_SEEK));
  uint8_t buf[4];
  __wasi_iovec_t in = {buf, 4};
  show("fd_read still allowed", __wasi_fd_read(r, &in, 1, &n));
  show("drop read", __wasi_fd_fdstat_set_rights(r, 0, 0));
  show("fd_read without read", __wasi_fd_read(r, &in, 1, &n));

  // Directories report directory rights, not file rights; seeking one is EBADF.
  int d = open(".", O_RDONLY | O_DIRECTORY);
  __wasi_fdstat_t ds = fdstat(d);
  printf("directory: read %d write %d seek %d path_open %d readdir %d\n",
         !!(ds.fs_rights_base & __WASI_RIGHTS_FD_READ), !!(ds.fs_rights_base & __WASI_RIGHTS_FD_WRITE),
         !!(ds.fs_rights_base & __WASI_RIGHTS_FD_SEEK), !!(ds.fs_rights_base & __WASI_RIGHTS_PATH_OPEN),
         !!(ds.fs_rights_base & __WASI_RIGHTS_FD_READDIR));
  show("fd_seek on a directory", __wasi_fd_seek(d, 0, __WASI_WHENCE_CUR, &pos));
  show("fd_tell on a directory", __wasi_fd_tell(d, &pos));

  // Inheriting rights follow the directory: drop path_open's file writing rights from
  // the directory's inheriting set, then opening for writing through it is refused.
  __wasi_fdstat_t pre = fdstat(3);  // the preopen
  printf("preopen inherits write %d\n", !!(pre.fs_rights_inheriting & __WASI_RIGHTS_FD_WRITE));
  show("drop inherited write", __wasi_fd_fdstat_set_rights(d, ds.fs_rights_base,
                                                          ds.fs_rights_inheriting & ~__WASI_RIGHTS_FD_WRITE));
  __wasi_fd_t opened = 0;
  show("path_open for writing through it",
       __wasi_path_open(d, 0, "file.txt", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &opened));
  show("path_open for reading through it",
       __wasi_path_open(d, 0, "file.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &opened));
  show("drop path_open, keep write dropped",
       __wasi_fd_fdstat_set_rights(d, ds.fs_rights_base & ~__WASI_RIGHTS_PATH_OPEN,
                                   ds.fs_rights_inheriting & ~__WASI_RIGHTS_FD_WRITE));
  show("path_open without path_open",
       __wasi_path_open(d, 0, "file.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &opened));

  // Contradictory time flags.
  int f = open("file.txt", O_RDWR);
  show("set_times atim and atim_now",
       __wasi_fd_filestat_set_times(f, 1, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));
  show("set_times mtim and mtim_now",
       __wasi_fd_filestat_set_times(f, 0, 1, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW));
  show("path set_times atim and atim_now",
       __wasi_path_filestat_set_times(3, 0, "file.txt", 1, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));
  show("path set_times mtim_now", __wasi_path_filestat_set_times(3, 0, "file.txt", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
  show("fd_advise bad advice", __wasi_fd_advise(f, 0, 0, 9));

  // Socket calls on what is no socket, and on no descriptor at all.
  __wasi_fd_t conn = 0;
  show("sock_accept on a file", __wasi_sock_accept(f, 0, &conn));
  __wasi_roflags_t ro = 0;
  show("sock_recv on a file", __wasi_sock_recv(f, &in, 1, 0, &n, &ro));
  show("sock_send on a file", __wasi_sock_send(f, &out, 1, 0, &n));
  show("sock_shutdown on a file", __wasi_sock_shutdown(f, __WASI_SDFLAGS_WR));
  show("sock_accept on a bad fd", __wasi_sock_accept(99, 0, &conn));
  show("sock_shutdown on a bad fd", __wasi_sock_shutdown(99, __WASI_SDFLAGS_RD));
  return 0;
}
