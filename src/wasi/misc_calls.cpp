// args, environ, clocks, random, scheduling, poll_oneoff and proc_exit.
#include <sched.h>
#include <sys/random.h>
#include <time.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "aperture/trap.h"
#include "wasi/calls.h"

namespace aperture::wasi {
namespace {

// argv/environ layout: an array of guest pointers plus NUL-terminated strings.
uint32_t strings_get(const std::vector<std::string>& list, const GuestMemory& m, uint32_t ptrs,
                     uint32_t buf) {
  uint32_t offset = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    if (!m.store(ptrs + 4ull * i, buf + offset)) return kEfault;
    if (!m.write(buf + static_cast<uint64_t>(offset), list[i].c_str(), list[i].size() + 1))
      return kEfault;
    offset += static_cast<uint32_t>(list[i].size() + 1);
  }
  return kSuccess;
}

uint32_t strings_sizes(const std::vector<std::string>& list, const GuestMemory& m, uint32_t count_ptr,
                       uint32_t size_ptr) {
  uint32_t size = 0;
  for (const std::string& s : list) size += static_cast<uint32_t>(s.size() + 1);
  if (!m.store(count_ptr, static_cast<uint32_t>(list.size())) || !m.store(size_ptr, size)) return kEfault;
  return kSuccess;
}

uint32_t args_get(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  return strings_get(c.config().args, m, u32(a, 0), u32(a, 1));
}
uint32_t args_sizes_get(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  return strings_sizes(c.config().args, m, u32(a, 0), u32(a, 1));
}
uint32_t environ_get(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  return strings_get(c.config().env, m, u32(a, 0), u32(a, 1));
}
uint32_t environ_sizes_get(ContextImpl& c, const GuestMemory& m, const uint64_t* a) {
  return strings_sizes(c.config().env, m, u32(a, 0), u32(a, 1));
}

bool host_clock(uint32_t id, clockid_t* out) {
  switch (id) {
    case 0: *out = CLOCK_REALTIME; return true;
    case 1: *out = CLOCK_MONOTONIC; return true;
    case 2: *out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case 3: *out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
  }
}

uint64_t to_ns(const timespec& ts) {
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

uint32_t clock_res_get(ContextImpl&, const GuestMemory& m, const uint64_t* a) {
  clockid_t id;
  if (!host_clock(u32(a, 0), &id)) return kEinval;
  timespec ts;
  if (clock_getres(id, &ts) != 0) return errno_from_host(errno);
  return m.store(u32(a, 1), to_ns(ts)) ? kSuccess : kEfault;
}

uint32_t clock_time_get(ContextImpl&, const GuestMemory& m, const uint64_t* a) {
  clockid_t id;
  if (!host_clock(u32(a, 0), &id)) return kEinval;
  timespec ts;
  if (clock_gettime(id, &ts) != 0) return errno_from_host(errno);
  return m.store(u32(a, 2), to_ns(ts)) ? kSuccess : kEfault;
}

uint32_t random_get(ContextImpl&, const GuestMemory& m, const uint64_t* a) {
  uint32_t len = u32(a, 1);
  uint8_t* p = m.syscall_buffer(u32(a, 0), len, true);
  if (!p) return kEfault;
  for (uint32_t done = 0; done < len;) {
    ssize_t n = getrandom(p + done, len - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_from_host(errno);
    }
    done += static_cast<uint32_t>(n);
  }
  return kSuccess;
}

uint32_t sched_yield_call(ContextImpl&, const GuestMemory&, const uint64_t*) {
  sched_yield();
  return kSuccess;
}

uint32_t proc_exit(ContextImpl&, const GuestMemory&, const uint64_t* a) {
  throw Trap::exit(static_cast<int>(u32(a, 0)));
}

// proc_raise(sig): WASI signals 1..30. A guest cannot install handlers, so every signal
// takes its default action; the ones that would end a native process end the program
// with a trap naming the signal, the others (SIGCHLD, SIGURG, SIGWINCH, SIGCONT) are
// ignored, as natively.
uint32_t proc_raise(ContextImpl&, const GuestMemory&, const uint64_t* a) {
  uint32_t sig = u32(a, 0);
  if (sig == 0 || sig > 30) return kEinval;
  static const char* const kNames[31] = {
      "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
      "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGCHLD",
      "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ",
      "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGPOLL", "SIGPWR", "SIGSYS"};
  if (sig == 16 || sig == 17 || sig == 22 || sig == 27) return kSuccess;  // ignored by default
  throw Trap(std::string("the program raised ") + kNames[sig] + " (proc_raise)");
}

// Subscriptions are 48 bytes, events 32 bytes (witx layout). Clock subscriptions sleep
// until the earliest deadline; fd subscriptions are reported ready at once.
uint32_t poll_oneoff(ContextImpl&, const GuestMemory& m, const uint64_t* a) {
  uint32_t in = u32(a, 0), out = u32(a, 1), n = u32(a, 2);
  if (n == 0) return kEinval;
  if (!m.accessible(in, 48ull * n, false) || !m.accessible(out, 32ull * n, true)) return kEfault;
  struct Sub {
    uint64_t userdata;
    uint8_t tag;
    uint64_t deadline;  // clock: absolute CLOCK_MONOTONIC/REALTIME ns
    clockid_t clock;
  };
  std::vector<Sub> subs(n);
  bool any_fd = false;
  uint64_t earliest = UINT64_MAX;
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t base = in + 48ull * i;
    Sub& s = subs[i];
    if (!m.load(base, &s.userdata) || !m.load(base + 8, &s.tag)) return kEfault;
    if (s.tag != 0) {
      any_fd = true;
      continue;
    }
    uint32_t id = 0;
    uint64_t timeout = 0;
    uint16_t flags = 0;
    if (!m.load(base + 16, &id) || !m.load(base + 24, &timeout) || !m.load(base + 40, &flags))
      return kEfault;
    if (!host_clock(id, &s.clock)) s.clock = CLOCK_MONOTONIC;
    timespec now;
    clock_gettime(s.clock, &now);
    s.deadline = (flags & 1) ? timeout : to_ns(now) + timeout;
    uint64_t remaining = s.deadline > to_ns(now) ? s.deadline - to_ns(now) : 0;
    earliest = std::min(earliest, remaining);
  }
  if (!any_fd && earliest != UINT64_MAX && earliest > 0) {
    timespec ts{static_cast<time_t>(earliest / 1000000000ull), static_cast<long>(earliest % 1000000000ull)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
  }
  uint32_t events = 0;
  for (const Sub& s : subs) {
    bool ready = s.tag != 0;
    if (!ready) {
      timespec now;
      clock_gettime(s.clock, &now);
      ready = to_ns(now) >= s.deadline || (!any_fd && events == 0 && s.deadline != 0 &&
                                           to_ns(now) + 1000000 >= s.deadline);
    }
    if (!ready) continue;
    uint8_t event[32] = {};
    std::memcpy(event, &s.userdata, 8);
    event[10] = s.tag;  // eventtype: clock 0, fd_read 1, fd_write 2
    if (!m.write(out + 32ull * events, event, sizeof event)) return kEfault;
    ++events;
  }
  return m.store(u32(a, 3), events) ? kSuccess : kEfault;
}

}  // namespace

std::vector<CallDef> misc_calls() {
  return {
      {"args_get", "ii", true, args_get},
      {"args_sizes_get", "ii", true, args_sizes_get},
      {"environ_get", "ii", true, environ_get},
      {"environ_sizes_get", "ii", true, environ_sizes_get},
      {"clock_res_get", "ii", true, clock_res_get},
      {"clock_time_get", "iIi", true, clock_time_get},
      {"random_get", "ii", true, random_get},
      {"sched_yield", "", true, sched_yield_call},
      {"proc_exit", "i", false, proc_exit},
      {"proc_raise", "i", true, proc_raise},
      {"poll_oneoff", "iiii", true, poll_oneoff},
  };
}

}  // namespace aperture::wasi
