// sock_* functions on sockets the host passes in (Config::listen_fds) and the
// connections accepted from them. Anything that is not a socket gets ENOTSOCK.
// sock_shutdown runs under the fd-table lock (wasi/context.cpp); accept, recv and send
// take it themselves only for their lookups, as they may block.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <cerrno>
#include <mutex>
#include <vector>

#include "wasi/calls.h"

namespace aperture::wasi {
namespace {

bool is_socket(const FdEntry& e) { return e.type == kSocketStream || e.type == kSocketDgram; }

// The socket behind guest fd `fd` with `right`, or nullptr with *err set. The caller
// holds the table lock.
FdEntry* socket_fd(ContextImpl& c, uint32_t fd, uint64_t right, uint32_t* err) {
  FdEntry* e = c.fd(fd);
  if (!e) {
    *err = kEbadf;
    return nullptr;
  }
  if (!is_socket(*e)) {
    *err = kEnotsock;
    return nullptr;
  }
  return c.fd(fd, right, err);
}

// The host descriptor of that socket, looked up under the table lock, which calls that
// may block for long (accept, recv, send) must not hold while they wait; nullptr with
// *err. Holding it keeps its number from being reused while the call runs (HostFd).
std::shared_ptr<const HostFd> socket_host_fd(ContextImpl& c, uint32_t fd, uint64_t right, uint32_t* err) {
  std::lock_guard<std::mutex> lock(c.table_mutex());
  FdEntry* e = socket_fd(c, fd, right, err);
  return e ? e->holder : nullptr;
}

// sock_accept(fd, flags, result_fd): flags may hold only FDFLAGS_NONBLOCK.
uint32_t sock_accept(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  uint32_t err = 0;
  std::shared_ptr<const HostFd> held = socket_host_fd(c, u32(a, 0), kRightSockAccept, &err);
  if (!held) return err;
  const int listener = held->get();
  uint32_t flags = u32(a, 1);
  if (flags & ~kFdflagNonblock) return kEinval;
  int fd;
  do {
    fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | ((flags & kFdflagNonblock) ? SOCK_NONBLOCK : 0));
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno_from_host(errno);
  FdEntry conn{fd, true, kSocketStream, std::nullopt};
  conn.rights_base = kRightsSocket & ~kRightSockAccept;  // a connection accepts nothing
  std::lock_guard<std::mutex> lock(c.table_mutex());
  uint32_t guest_fd = c.add_fd(conn);
  if (!m.store(u32(a, 2), guest_fd)) {
    c.close_fd(guest_fd);
    return kEfault;
  }
  return kSuccess;
}

// sock_recv(fd, ri_data, ri_data_len, ri_flags, ro_datalen, ro_flags)
uint32_t sock_recv(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  uint32_t err = 0;
  std::shared_ptr<const HostFd> held = socket_host_fd(c, u32(a, 0), kRightFdRead, &err);
  if (!held) return err;
  const int sock = held->get();
  uint32_t ri_flags = u32(a, 3);
  if (ri_flags & ~3u) return kEinval;  // RECV_PEEK 1, RECV_WAITALL 2
  std::vector<iovec> iov;
  if (uint32_t err = gather_iovecs(m, u32(a, 1), u32(a, 2), true, &iov)) return err;
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  int flags = ((ri_flags & 1) ? MSG_PEEK : 0) | ((ri_flags & 2) ? MSG_WAITALL : 0);
  ssize_t n;
  do {
    n = recvmsg(sock, &msg, flags);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return errno_from_host(errno);
  uint16_t ro_flags = (msg.msg_flags & MSG_TRUNC) ? 1 : 0;  // RECV_DATA_TRUNCATED
  if (!m.store(u32(a, 4), static_cast<uint32_t>(n)) || !m.store(u32(a, 5), ro_flags)) return kEfault;
  return kSuccess;
}

// sock_send(fd, si_data, si_data_len, si_flags, so_datalen): no flags are defined.
uint32_t sock_send(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  uint32_t err = 0;
  std::shared_ptr<const HostFd> held = socket_host_fd(c, u32(a, 0), kRightFdWrite, &err);
  if (!held) return err;
  const int sock = held->get();
  if (u32(a, 3) != 0) return kEinval;
  std::vector<iovec> iov;
  if (uint32_t err = gather_iovecs(m, u32(a, 1), u32(a, 2), false, &iov)) return err;
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  ssize_t n;
  do {
    n = sendmsg(sock, &msg, MSG_NOSIGNAL);  // a closed peer is EPIPE, not SIGPIPE
  } while (n < 0 && errno == EINTR);
  if (n < 0) return errno_from_host(errno);
  return m.store(u32(a, 4), static_cast<uint32_t>(n)) ? kSuccess : kEfault;
}

// sock_shutdown(fd, how): SDFLAGS_RD 1, SDFLAGS_WR 2.
uint32_t sock_shutdown(ContextImpl& c, const GuestMemory&, const uint64_t* a) {
  uint32_t err = 0;
  FdEntry* e = socket_fd(c, u32(a, 0), kRightSockShutdown, &err);
  if (!e) return err;
  int how;
  switch (u32(a, 1)) {
    case 1: how = SHUT_RD; break;
    case 2: how = SHUT_WR; break;
    case 3: how = SHUT_RDWR; break;
    default: return kEinval;
  }
  return shutdown(e->host_fd, how) == 0 ? kSuccess : errno_from_host(errno);
}

}  // namespace

std::vector<CallDef> sock_calls() {
  return {
      {"sock_accept", "iii", true, sock_accept},
      {"sock_recv", "iiiiii", true, sock_recv},
      {"sock_send", "iiiii", true, sock_send},
      {"sock_shutdown", "ii", true, sock_shutdown},
  };
}

}  // namespace aperture::wasi
