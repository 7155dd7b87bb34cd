// Serves N connections on the listening socket the host passed (`aperture run --listen`,
// the first descriptor after the preopens: 3 without --dir): reads a line, answers it in
// upper case, shuts the connection down. N is argv[1].
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char** argv) {
  int connections = argc > 1 ? atoi(argv[1]) : 1;
  for (int i = 0; i < connections; ++i) {
    int c = accept(3, NULL, NULL);
    if (c < 0) {
      printf("accept: %s\n", strerror(errno));
      return 1;
    }
    char buf[256];
    size_t used = 0;
    while (used < sizeof buf - 1) {
      ssize_t n = recv(c, buf + used, sizeof buf - 1 - used, 0);
      if (n <= 0) break;
      used += (size_t)n;
      if (memchr(buf, '\n', used)) break;
    }
    for (size_t k = 0; k < used; ++k) buf[k] = (char)toupper((unsigned char)buf[k]);
    if (send(c, buf, used, 0) != (ssize_t)used) printf("send: %s\n", strerror(errno));
    if (shutdown(c, SHUT_RDWR) != 0) printf("shutdown: %s\n", strerror(errno));
    close(c);
    printf("served %d bytes\n", (int)used);
  }
  printf("recv on the listening socket: %s\n", recv(3, (char[4]){0}, 4, 0) < 0 ? strerror(errno) : "data");
  return 0;
}
