#include "runtime/fault_handler.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

#include "aperture/memory.h"
#include "aperture/trap.h"
#include "target/target.h"

namespace aperture {
namespace {

// Reservations, as the signal handler sees them: the base address of each, nothing else.
// A reservation is its base and extent (Memory::reservation_bytes(): 8 GiB + a guard for
// a 32-bit memory, 64 GiB for a 64-bit one), two atomic words: everything the handler needs, and the handler never touches a Memory: another thread
// may be running ~Memory meanwhile (the record is cleared before the Memory is freed, and
// a stale read of a base still names address space that was a reservation a moment ago).
// The whole user address space holds at most ~16k reservations of 8 GiB, so a fixed
// table is enough.
constexpr size_t kMaxReservations = 16384;
std::atomic<uintptr_t> g_reservation_base[kMaxReservations];
std::atomic<uint64_t> g_reservation_bytes[kMaxReservations];
std::atomic<size_t> g_reservations_used{0};  // high-water mark
// The Memory behind each record, for describing a fault after the handler has returned:
// read and written only under g_registry_mutex, never by the handler.
Memory* g_reservation_owner[kMaxReservations];
std::mutex g_registry_mutex;

// Code ranges of compiled code, read by the signal handler.
constexpr size_t kMaxCodeRanges = 16384;
struct CodeRange {
  std::atomic<uintptr_t> begin{0};
  std::atomic<uintptr_t> end{0};
};
CodeRange g_code_ranges[kMaxCodeRanges];
std::atomic<size_t> g_code_ranges_used{0};  // high-water mark

struct sigaction g_previous_segv;
struct sigaction g_previous_bus;

thread_local FaultScope* t_scope = nullptr;

// This thread's alternate signal stack, freed when the thread exits (a thread that runs
// wasm once must not leave 64 KiB and a mapping behind; wasi-threads start many).
struct AltSignalStack {
  bool checked = false;     // installed, or found one big enough already there
  void* stack = nullptr;    // ours, when we mapped it
  size_t size = 0;
  ~AltSignalStack() {
    if (stack == nullptr) return;
    // SAFETY: the thread is exiting (thread_local destructors run after its last wasm
    // call), so no signal handler can be running on this stack. Disable it before
    // unmapping, or a later fault on this thread would run the handler on freed memory;
    // only when it is still ours (someone may have installed another since).
    stack_t current{};
    if (sigaltstack(nullptr, &current) == 0 && current.ss_sp == stack && !(current.ss_flags & SS_ONSTACK)) {
      stack_t off{};
      off.ss_flags = SS_DISABLE;
      sigaltstack(&off, nullptr);
      munmap(stack, size);
    }
    stack = nullptr;
    checked = false;
  }
};
thread_local AltSignalStack t_alt_stack;
#if defined(__SANITIZE_THREAD__)
thread_local sigset_t t_signal_mask;  // the thread's mask outside handlers (see on_fault)
#endif

void reraise(int signo, siginfo_t* info, void* context) {
  struct sigaction& previous = signo == SIGSEGV ? g_previous_segv : g_previous_bus;
  if (previous.sa_flags & SA_SIGINFO) {
    if (previous.sa_sigaction) { previous.sa_sigaction(signo, info, context); return; }
  } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
    previous.sa_handler(signo);
    return;
  }
  // Default action: restore it and return; the faulting instruction runs again and
  // the process dies with the original signal (core dump, correct exit status).
  signal(signo, SIG_DFL);
}

bool in_host_ranges(const FaultScope& scope, uintptr_t address) {
  for (int i = 0; i < 2; ++i)
    if (address >= scope.host_lo[i] && address < scope.host_hi[i]) return true;
  return false;
}

// SAFETY: runs in a signal handler, possibly on the alternate stack, at any instruction of
// the thread. It reads only this thread's FaultScope chain (thread_local, written by this
// thread only, so never torn), the atomic registries of reservation bases and code ranges
// (never a Memory or other heap object another thread could free), and the machine state
// in `context`. It writes only the innermost scope's FaultInfo. It then either hands the
// signal on (reraise) or siglongjmps to the scope's sigsetjmp: every frame between them is
// either compiled wasm code (nothing to unwind, see compile/invocation.h) or the body of a
// host access scope, which by contract holds no lock and owns no resource the jump would
// leak (runtime/guest_access.h).
void on_fault(int signo, siginfo_t* info, void* context) {
  FaultScope* scope = t_scope;
  auto address = reinterpret_cast<uintptr_t>(info->si_addr);
  bool caught = scope != nullptr &&
                (scope->host_access ? in_host_ranges(*scope, address) : in_reservation(address));
  if (!caught) {
    reraise(signo, info, context);
    return;
  }
  if (scope->native) {
    uintptr_t pc, fp;
    target::machine_state(context, &pc, &fp);
    if (!in_code_range(pc)) {  // a runtime bug, not a wasm access: stay a crash
      reraise(signo, info, context);
      return;
    }
    capture_native_frames(pc, fp, *scope, &scope->fault.frames);
  }
  scope->fault.signo = signo;
  scope->fault.address = address;
#if defined(__SANITIZE_THREAD__)
  // ThreadSanitizer runs handlers with every signal blocked and unblocks them when the
  // handler returns, which it never does here: restore the thread's own mask, or the next
  // fault would find SIGSEGV blocked and kill the process.
  pthread_sigmask(SIG_SETMASK, &t_signal_mask, nullptr);
#endif
  siglongjmp(scope->jump, 1);
}

}  // namespace

void install_fault_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_previous_segv);
    sigaction(SIGBUS, &sa, &g_previous_bus);
  });
}

void ensure_alt_signal_stack() {
  AltSignalStack& alt = t_alt_stack;
  if (alt.checked) return;
  alt.checked = true;
#if defined(__SANITIZE_THREAD__)
  pthread_sigmask(SIG_SETMASK, nullptr, &t_signal_mask);
#endif
  stack_t current{};
  if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE) &&
      current.ss_size >= 64 * 1024)
    return;  // someone (e.g. a sanitizer) already installed a big enough one
  size_t size = 64 * 1024;
  void* stack = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (stack == MAP_FAILED) return;
  stack_t ss{};
  ss.ss_sp = stack;
  ss.ss_size = size;
  if (sigaltstack(&ss, nullptr) != 0) {
    munmap(stack, size);
    return;
  }
  alt.stack = stack;  // freed at thread exit (~AltSignalStack)
  alt.size = size;
}

bool register_reservation(Memory* m) {
  std::lock_guard<std::mutex> lock(g_registry_mutex);
  for (size_t i = 0; i < kMaxReservations; ++i) {
    if (g_reservation_owner[i] != nullptr) continue;
    g_reservation_owner[i] = m;
    g_reservation_bytes[i].store(m->reservation_bytes(), std::memory_order_relaxed);
    g_reservation_base[i].store(reinterpret_cast<uintptr_t>(m->base()), std::memory_order_release);
    if (i + 1 > g_reservations_used.load(std::memory_order_relaxed))
      g_reservations_used.store(i + 1, std::memory_order_release);
    return true;
  }
  return false;
}

void unregister_reservation(Memory* m) {
  std::lock_guard<std::mutex> lock(g_registry_mutex);
  size_t used = g_reservations_used.load(std::memory_order_relaxed);
  for (size_t i = 0; i < used; ++i) {
    if (g_reservation_owner[i] != m) continue;
    g_reservation_base[i].store(0, std::memory_order_release);
    g_reservation_owner[i] = nullptr;
    return;
  }
}

bool in_reservation(uintptr_t address) {
  size_t used = g_reservations_used.load(std::memory_order_acquire);
  for (size_t i = 0; i < used; ++i) {
    uintptr_t base = g_reservation_base[i].load(std::memory_order_acquire);
    if (base != 0 && address >= base &&
        address - base < g_reservation_bytes[i].load(std::memory_order_relaxed))
      return true;
  }
  return false;
}

bool register_code_range(uintptr_t begin, uintptr_t end) {
  std::lock_guard<std::mutex> lock(g_registry_mutex);
  for (size_t i = 0; i < kMaxCodeRanges; ++i) {
    CodeRange& r = g_code_ranges[i];
    if (r.begin.load(std::memory_order_relaxed) != 0) continue;
    r.end.store(end, std::memory_order_relaxed);
    r.begin.store(begin, std::memory_order_release);
    if (i + 1 > g_code_ranges_used.load(std::memory_order_relaxed))
      g_code_ranges_used.store(i + 1, std::memory_order_release);
    return true;
  }
  return false;
}

void unregister_code_range(uintptr_t begin) {
  std::lock_guard<std::mutex> lock(g_registry_mutex);
  size_t used = g_code_ranges_used.load(std::memory_order_relaxed);
  for (size_t i = 0; i < used; ++i) {
    if (g_code_ranges[i].begin.load(std::memory_order_relaxed) != begin) continue;
    g_code_ranges[i].begin.store(0, std::memory_order_release);
    return;
  }
}

bool in_code_range(uintptr_t pc) {
  size_t used = g_code_ranges_used.load(std::memory_order_acquire);
  for (size_t i = 0; i < used; ++i) {
    uintptr_t begin = g_code_ranges[i].begin.load(std::memory_order_acquire);
    if (begin != 0 && pc >= begin && pc < g_code_ranges[i].end.load(std::memory_order_relaxed))
      return true;
  }
  return false;
}

void capture_native_frames(uintptr_t pc, uintptr_t fp, const FaultScope& scope,
                           NativeFrames* out) {
  out->count = 0;
  out->truncated = false;
  out->pcs[out->count++] = pc;
  // Each frame: [fp] = caller's fp, [fp + 8] = return address into the caller.
  while (fp >= scope.stack_low && fp + 16 <= scope.stack_high && fp % 8 == 0) {
    const auto* frame = reinterpret_cast<const uintptr_t*>(fp);
    uintptr_t ret = frame[1];
    if (!in_code_range(ret)) return;
    if (out->count == NativeFrames::kMax) {
      out->truncated = true;
      return;
    }
    out->pcs[out->count++] = ret;
    uintptr_t next = frame[0];
    if (next <= fp) return;  // frames grow towards higher addresses
    fp = next;
  }
}

FaultScope*& current_fault_scope() { return t_scope; }

std::string describe_fault(const FaultInfo& fault) {
  // Under the registry lock: the Memory cannot be destroyed meanwhile (its destructor
  // unregisters it first).
  std::lock_guard<std::mutex> lock(g_registry_mutex);
  const Memory* m = nullptr;
  size_t used = g_reservations_used.load(std::memory_order_relaxed);
  for (size_t i = 0; i < used && m == nullptr; ++i)
    if (g_reservation_owner[i] != nullptr && g_reservation_owner[i]->contains(reinterpret_cast<const void*>(fault.address)))
      m = g_reservation_owner[i];
  if (m == nullptr) return trap_msg::kMemoryOutOfBounds;
  uint64_t addr = fault.address - reinterpret_cast<uintptr_t>(m->base());
  std::optional<WindowRecord> w = m->window_at(addr);
  if (!w) return trap_msg::kMemoryOutOfBounds;
  if (fault.signo == SIGBUS)
    return std::string(trap_msg::kMemoryOutOfBounds) + ": bus error in window of region '" +
           w->region_name + "' at address " + std::to_string(addr) +
           " (its backing file was truncated?)";
  if (!w->writable)
    return "write to read-only window of region '" + w->region_name + "' at address " +
           std::to_string(addr);
  return std::string(trap_msg::kMemoryOutOfBounds) + " in window of region '" +
         w->region_name + "'";
}

}  // namespace aperture
