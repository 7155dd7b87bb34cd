/* The guest of the C proxy example: the proxy instance writes a request into the packet
 * window, filter instances inspect it through read-only windows. Built with
 *   clang-19 --target=wasm32 -nostdlib -O2 -Wl,--no-entry proxy_guest.c */
#include <stdint.h>

static const char kRequest[] = "GET /admin/users HTTP/1.1";

/* Writes the request at `packet`; returns its length. */
__attribute__((export_name("produce"))) int32_t produce(volatile char* packet) {
  int32_t n = 0;
  for (; kRequest[n]; ++n) packet[n] = kRequest[n];
  return n;
}

/* 1 when the request's path starts with /admin (this filter blocks it), else 0. */
__attribute__((export_name("block_admin"))) int32_t block_admin(const volatile char* packet,
                                                                int32_t n) {
  static const char kAdmin[] = "GET /admin";
  for (int32_t i = 0; kAdmin[i]; ++i)
    if (i >= n || packet[i] != kAdmin[i]) return 0;
  return 1;
}

/* 1 when the request is longer than 64 bytes (this filter blocks it), else 0. */
__attribute__((export_name("block_long"))) int32_t block_long(const volatile char* packet, int32_t n) {
  (void)packet;
  return n > 64;
}
