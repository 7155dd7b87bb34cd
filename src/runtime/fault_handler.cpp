#include "runtime/fault_handler.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

#include "aperture/memory.h"
#include "aperture/trap.h"

namespace aperture {
namespace {

// Lock-free registry read by the signal handler. The whole user address space holds at
// most ~16k reservations of 8 GiB, so a fixed table is enough.
constexpr size_t kMaxReservations = 16384;
std::atomic<Memory*> g_reservations[kMaxReservations];
std::mutex g_registry_mutex;

struct sigaction g_previous_segv;
struct sigaction g_previous_bus;

thread_local FaultScope* t_scope = nullptr;
thread_local bool t_alt_stack_installed = false;

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

void on_fault(int signo, siginfo_t* info, void* context) {
  FaultScope* scope = t_scope;
  auto address = reinterpret_cast<uintptr_t>(info->si_addr);
  bool host_access = scope != nullptr && scope->host_hi != 0;
  bool caught = scope != nullptr &&
                (host_access ? address >= scope->host_lo && address < scope->host_hi
                             : find_reservation(address) != nullptr);
  if (!caught) {
    reraise(signo, info, context);
    return;
  }
  scope->fault.signo = signo;
  scope->fault.address = address;
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
  if (t_alt_stack_installed) return;
  t_alt_stack_installed = true;
  stack_t current{};
  if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE) &&
      current.ss_size >= 64 * 1024)
    return;  // someone (e.g. a sanitizer) already installed a big enough one
  // Leaked on purpose: the stack must outlive every signal this thread may take.
  size_t size = 64 * 1024;
  void* stack = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (stack == MAP_FAILED) return;
  stack_t ss{};
  ss.ss_sp = stack;
  ss.ss_size = size;
  sigaltstack(&ss, nullptr);
}

bool register_reservation(Memory* m) {
  std::lock_guard<std::mutex> lock(g_registry_mutex);
  for (auto& slot : g_reservations) {
    if (slot.load(std::memory_order_relaxed) == nullptr) {
      slot.store(m, std::memory_order_release);
      return true;
    }
  }
  return false;
}

void unregister_reservation(Memory* m) {
  std::lock_guard<std::mutex> lock(g_registry_mutex);
  for (auto& slot : g_reservations) {
    if (slot.load(std::memory_order_relaxed) == m) {
      slot.store(nullptr, std::memory_order_release);
      return;
    }
  }
}

Memory* find_reservation(uintptr_t address) {
  for (auto& slot : g_reservations) {
    Memory* m = slot.load(std::memory_order_acquire);
    if (m != nullptr && m->contains(reinterpret_cast<const void*>(address))) return m;
  }
  return nullptr;
}

FaultScope*& current_fault_scope() { return t_scope; }

std::string describe_fault(const FaultInfo& fault) {
  Memory* m = find_reservation(fault.address);
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
