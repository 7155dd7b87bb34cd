// Attach modes as open-file-description locks (region/attach_lock.h).
#include "region/attach_lock.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>

#include "support/wasi_errno.h"

namespace aperture {
namespace {

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// A new open file description of the region's backing: locks of two descriptions
// conflict even inside one process, locks of one description never do.
int reopen(Region& region, bool write) {
  std::string path = "/proc/self/fd/" + std::to_string(region.lock_fd());
  return open(path.c_str(), (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
}

// ---- waiting with a timeout ----
// F_OFD_SETLKW has no timeout: a per-thread POSIX timer sends kWaitSignal, whose handler
// does nothing but is installed without SA_RESTART, so the wait returns EINTR. After the
// deadline the timer repeats every millisecond, so a signal that arrives just before the
// thread blocks cannot leave it blocked.

int wait_signal() { return SIGRTMAX - 4; }

void on_wait_signal(int) {}

// Installs the handler once; false when the embedder handles the signal itself (then
// waits poll instead).
bool wait_signal_ready() {
  static const bool ready = [] {
    struct sigaction old {};
    if (sigaction(wait_signal(), nullptr, &old) != 0) return false;
    bool taken = (old.sa_flags & SA_SIGINFO) ? old.sa_sigaction != nullptr
                                             : old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN;
    if (taken) return false;
    struct sigaction sa {};
    sa.sa_handler = on_wait_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: the blocked fcntl must return
    return sigaction(wait_signal(), &sa, nullptr) == 0;
  }();
  return ready;
}

timespec monotonic_now() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now;
}

bool reached(const timespec& deadline) {
  timespec now = monotonic_now();
  return now.tv_sec > deadline.tv_sec ||
         (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec);
}

timespec deadline_after(std::chrono::nanoseconds wait) {
  constexpr int64_t kMaxSeconds = int64_t{1} << 40;  // far beyond any real wait; no overflow
  timespec t = monotonic_now();
  int64_t secs = std::min<int64_t>(wait.count() / 1000000000, kMaxSeconds);
  t.tv_sec += secs;
  t.tv_nsec += wait.count() % 1000000000;
  if (t.tv_nsec >= 1000000000) {
    t.tv_sec += 1;
    t.tv_nsec -= 1000000000;
  }
  return t;
}

// 0, or the errno of the failure (ETIMEDOUT at the deadline).
int lock_polling(int fd, struct flock& fl, const timespec& deadline) {
  auto pause = std::chrono::microseconds(100);
  while (fcntl(fd, F_OFD_SETLK, &fl) != 0) {
    if (errno != EAGAIN && errno != EACCES) return errno;
    if (reached(deadline)) return ETIMEDOUT;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(10000));
  }
  return 0;
}

int lock_blocking(int fd, struct flock& fl) {
  while (fcntl(fd, F_OFD_SETLKW, &fl) != 0)
    if (errno != EINTR) return errno;
  return 0;
}

int lock_until(int fd, struct flock& fl, const timespec& deadline) {
  if (!wait_signal_ready()) return lock_polling(fd, fl, deadline);
  sigevent sev {};
  sev.sigev_notify = SIGEV_THREAD_ID;
  sev.sigev_signo = wait_signal();
  sev._sigev_un._tid = gettid();
  timer_t timer;
  if (timer_create(CLOCK_MONOTONIC, &sev, &timer) != 0) return lock_polling(fd, fl, deadline);
  itimerspec when {};
  when.it_value = deadline;
  when.it_interval.tv_nsec = 1000000;
  timer_settime(timer, TIMER_ABSTIME, &when, nullptr);
  sigset_t mine, saved;
  sigemptyset(&mine);
  sigaddset(&mine, wait_signal());
  pthread_sigmask(SIG_UNBLOCK, &mine, &saved);
  int result = 0;
  while (fcntl(fd, F_OFD_SETLKW, &fl) != 0) {
    if (errno != EINTR) {
      result = errno;
      break;
    }
    if (reached(deadline)) {
      result = ETIMEDOUT;
      break;
    }
  }
  timer_delete(timer);
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  return result;
}

// Who holds a conflicting lock, for the EBUSY message.
std::string holder(int fd, const struct flock& wanted) {
  struct flock probe = wanted;
  probe.l_pid = 0;
  if (fcntl(fd, F_OFD_GETLK, &probe) != 0 || probe.l_type == F_UNLCK) return "attached elsewhere";
  return probe.l_type == F_WRLCK ? "attached exclusively elsewhere (a writer)"
                                 : "attached shared elsewhere (readers)";
}

}  // namespace

std::unique_ptr<AttachLock> AttachLock::acquire(Region& region, uint64_t offset, uint64_t length,
                                                Attach mode, std::chrono::nanoseconds wait) {
  const bool exclusive = mode == Attach::Exclusive;
  const std::string what = "region '" + region.name() + "' [" + hex(offset) + ", " +
                           hex(offset + length) + ")";
  if (!region.mappable())
    throw RegionError(wasi::kEnotsup, what + ": host memory has no file descriptor to lock: "
                                             "attach modes need a region with a backing file (shm, memfd, file, fd)");
  if (exclusive && !region.writable())
    throw RegionError(wasi::kEacces, what + ": an exclusive attachment writes, and the region is read-only");
  int fd = reopen(region, exclusive);
  if (fd < 0) {
    int err = errno;
    throw RegionError(wasi::errno_from_host(err),
                      what + ": cannot open its backing again to lock it: " + std::strerror(err));
  }
  std::unique_ptr<AttachLock> lock(new AttachLock(fd));
  struct flock fl {};
  fl.l_type = exclusive ? F_WRLCK : F_RDLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = static_cast<off_t>(region.file_offset() + offset);
  fl.l_len = static_cast<off_t>(length);
  int err = 0;
  if (fcntl(fd, F_OFD_SETLK, &fl) != 0) {
    err = errno;
    if (err == EAGAIN || err == EACCES) {
      if (wait.count() <= 0) {
        throw RegionError(wasi::kEbusy, what + " is " + holder(fd, fl) +
                                            ": try again later or attach with a timeout");
      }
      err = wait == kWaitForever ? lock_blocking(fd, fl) : lock_until(fd, fl, deadline_after(wait));
    }
  }
  if (err == ETIMEDOUT)
    throw RegionError(wasi::kEtimedout, what + " stayed " + holder(fd, fl) + " for the whole wait");
  if (err != 0)
    throw RegionError(wasi::errno_from_host(err), what + ": cannot lock: " + std::strerror(err));
  return lock;
}

AttachLock::~AttachLock() { close(fd_); }

}  // namespace aperture
