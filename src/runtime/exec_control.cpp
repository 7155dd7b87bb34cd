#include "runtime/exec_control.h"

#include "aperture/trap.h"

namespace aperture {

namespace {

thread_local ExecScope* t_innermost = nullptr;

const ExecScope* scope_for(const ExecControl* control) {
  for (const ExecScope* s = t_innermost; s != nullptr; s = s->outer()) {
    if (s->control() == control) return s;
  }
  return nullptr;
}

// Takes one unit; false when none is left.
bool take_fuel(ExecControl& c) {
  uint64_t left = c.fuel.load(std::memory_order_relaxed);
  do {
    if (left == 0) return false;
  } while (!c.fuel.compare_exchange_weak(left, left - 1, std::memory_order_relaxed));
  return true;
}

}  // namespace

void ExecControl::interrupt() {
  epoch.fetch_add(1, std::memory_order_acq_rel);
  uint64_t s = state.load(std::memory_order_relaxed);
  do {
    if ((s >> 32) == 0) return;         // nothing runs: nothing to stop, nothing to keep
    if (s & kExecInterrupt) return;      // already raised (the epoch tells who is concerned)
  } while (!state.compare_exchange_weak(s, s | kExecInterrupt, std::memory_order_acq_rel));
  attention.fetch_add(1, std::memory_order_release);
}

void ExecControl::enable_fuel(uint64_t units) {
  fuel.store(units, std::memory_order_relaxed);
  if (!(state.fetch_or(kExecFuel, std::memory_order_acq_rel) & kExecFuel))
    attention.fetch_add(1, std::memory_order_release);
}

void ExecControl::disable_fuel() {
  if (state.fetch_and(~kExecFuel, std::memory_order_acq_rel) & kExecFuel)
    attention.fetch_sub(1, std::memory_order_release);
}

void InterruptHandle::interrupt() const {
  if (control_) control_->interrupt();
}

const char* exec_check_slow(ExecControl& c) {
  std::atomic_thread_fence(std::memory_order_acquire);  // pairs with the attention word's update
  uint64_t s = c.state.load(std::memory_order_acquire);
  if (s & kExecInterrupt) {
    const ExecScope* scope = scope_for(&c);
    // Code entered without a scope cannot tell when it started: stop it too.
    if (scope == nullptr || c.epoch.load(std::memory_order_acquire) != scope->start_epoch())
      return trap_msg::kInterrupted;
  }
  if ((s & kExecFuel) && !take_fuel(c)) return trap_msg::kOutOfFuel;
  return nullptr;
}

ExecScope::ExecScope(ExecControl* control) : control_(control), outer_(t_innermost) {
  for (const ExecScope* s = outer_; s != nullptr; s = s->outer_) {
    if (s->control_ == control) {
      start_epoch_ = s->start_epoch_;  // nested: the outermost invocation's view
      t_innermost = this;
      return;
    }
  }
  outermost_ = true;
  control->state.fetch_add(kExecActiveOne, std::memory_order_acq_rel);
  start_epoch_ = control->epoch.load(std::memory_order_acquire);
  t_innermost = this;
}

ExecScope::~ExecScope() {
  t_innermost = outer_;
  if (!outermost_) return;
  uint64_t s = control_->state.load(std::memory_order_relaxed);
  uint64_t next;
  do {
    next = s - kExecActiveOne;
    if ((next >> 32) == 0) next &= ~kExecInterrupt;  // nobody left to stop
  } while (!control_->state.compare_exchange_weak(s, next, std::memory_order_acq_rel));
  if ((s & kExecInterrupt) && !(next & kExecInterrupt))
    control_->attention.fetch_sub(1, std::memory_order_release);
}

}  // namespace aperture
