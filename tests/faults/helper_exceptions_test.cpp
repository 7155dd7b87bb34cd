// Item 6 of the fault discipline: a runtime helper called from compiled code must never let
// an exception reach compiled frames (they have no unwind tables: std::terminate). This
// binary replaces the global operator new so that a test can make every allocation fail;
// the helpers that allocate a trap message then throw std::bad_alloc, which must come out
// of Instance::call as it does in the interpreter (before, the compiled engine aborted).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

#include "fault_test_support.h"

namespace {
std::atomic<bool> g_fail_allocations{false};
}  // namespace

void* operator new(std::size_t n) {
  if (g_fail_allocations.load(std::memory_order_relaxed)) throw std::bad_alloc();
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
// The nothrow forms too: libstdc++ (std::stable_sort's temporary buffer, in the code
// generator) allocates with them and frees with the plain delete above, so leaving them to
// the sanitizer's allocator would pair its operator new with this free().
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  if (g_fail_allocations.load(std::memory_order_relaxed)) return nullptr;
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t& tag) noexcept { return ::operator new(n, tag); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace aperture {
namespace {

using testing_support::call;

// How call(inst, fn, args) ended, in a child process: "bad_alloc", "trap: ...", "returned",
// or how the child died.
std::string outcome(const std::string& fn, std::vector<Value> args) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return "no pipe";
  std::string ended = testing_support::in_child([&] {
    Store store;
    Linker linker;
    linker.define("host", "fail_allocations",
                  Extern::func(store.create_host_function(
                      FuncType{}, [](HostContext&, const uint64_t*, uint64_t*) { g_fail_allocations = true; })));
    Instance& inst = store.instantiate(testing_support::load_test_module("helper_alloc"), linker);
    const char* result = "returned";
    try {
      call(inst, fn, args);
    } catch (const std::bad_alloc&) {
      g_fail_allocations = false;
      result = "bad_alloc";
    } catch (const Trap&) {
      g_fail_allocations = false;
      result = "trap";
    }
    g_fail_allocations = false;
    ssize_t w = write(pipefd[1], result, std::strlen(result));
    return w > 0 ? 0 : 1;
  }, 30);
  close(pipefd[1]);
  char buf[64] = {};
  ssize_t n = read(pipefd[0], buf, sizeof buf - 1);
  close(pipefd[0]);
  if (ended != "exit 0") return ended;
  return n > 0 ? std::string(buf, n) : "nothing";
}

TEST(HelperExceptionTest, TrapMessageThatCannotBeAllocatedIsBadAllocNotAbort) {
  EXPECT_EQ(outcome("divide", {Value::i32(1), Value::i32(0)}), "bad_alloc");
}

TEST(HelperExceptionTest, UninitializedElementMessageThatCannotBeAllocatedIsBadAllocNotAbort) {
  EXPECT_EQ(outcome("call_null", {Value::i32(1)}), "bad_alloc");
}

}  // namespace
}  // namespace aperture
