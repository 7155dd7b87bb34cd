// Synchronisation between real processes through one shm region (issue 9, acceptance 2):
// several `aperture run` processes counting with atomics, and a ring buffer between a
// guest and a guest or a native program, with wait/notify and no spinning. The programs
// are tests/region/guests/xp_sync.c, built as a wasm guest and natively.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "aperture/region.h"
#include "engine_under_test.h"
#include "process_support.h"
#include "thread_support.h"

namespace aperture {
namespace {

using testing_support::Child;
using testing_support::cpu_ticks;
using testing_support::exited_with;
using testing_support::finish_process;
using testing_support::spawn_process;
using testing_support::wait_until_blocked_in_futex;

constexpr uint32_t kMessages = 1'000'000;

class CrossProcessSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
#ifndef APERTURE_GUESTS_BUILT
    GTEST_SKIP() << "configured with APERTURE_BUILD_GUESTS=OFF";
#endif
    shm_ = "/aperture_sync_" + std::to_string(getpid());
    region_ = Region::create_shm(shm_, 64 * 1024);
  }
  void TearDown() override {
    if (region_) Region::remove_shm(shm_);
  }

  // `aperture run` of the guest, with the region mapped where xp_sync.c expects it.
  Child guest(const std::string& mode, uint32_t n) {
    return spawn_process({std::string(APERTURE_BINARY_DIR) + "/aperture", "run", "--engine",
                          testing_support::engine_name_under_test(), "--region", "s=shm:" + shm_,
                          "--map", "s@0x10000000",
                          std::string(APERTURE_BINARY_DIR) + "/region_guests/xp_sync.wasm", mode,
                          std::to_string(n)});
  }
  Child native(const std::string& mode, uint32_t n) {
    return spawn_process({std::string(APERTURE_BINARY_DIR) + "/region_guests/xp_sync.native", mode,
                          std::to_string(n), shm_});
  }
  uint32_t word(size_t index) const {
    return __atomic_load_n(reinterpret_cast<uint32_t*>(region_->data()) + index, __ATOMIC_SEQ_CST);
  }

  // Starts `consumer`, checks that it sleeps while nothing arrives (its CPU time over one
  // second of waiting stays near zero), then runs `producer` and checks that all
  // kMessages arrived in order.
  void ring(Child consumer, std::function<Child()> start_producer) {
    ASSERT_GT(consumer.pid, 0);
    ASSERT_TRUE(wait_until_blocked_in_futex(consumer.pid, nullptr, consumer.pid))
        << "the consumer should block in a futex while the ring is empty";
    long before = cpu_ticks(consumer.pid);
    std::this_thread::sleep_for(std::chrono::seconds(1));
    long idle_ticks = cpu_ticks(consumer.pid) - before;
    long ticks_per_second = sysconf(_SC_CLK_TCK);
    // A spinning consumer would use a whole second; allow scheduler noise of 2 ticks.
    EXPECT_LE(idle_ticks, 2) << "consumer used " << idle_ticks << " of " << ticks_per_second
                             << " ticks while idle for 1 s";
    Child producer = start_producer();
    int producer_status = 0, consumer_status = 0;
    struct rusage producer_usage, consumer_usage;
    std::string produced = finish_process(producer, &producer_status, &producer_usage);
    std::string consumed = finish_process(consumer, &consumer_status, &consumer_usage);
    EXPECT_TRUE(exited_with(producer_status, 0)) << produced;
    EXPECT_TRUE(exited_with(consumer_status, 0)) << consumed;
    EXPECT_EQ(produced, "produced 1000000 messages\n");
    EXPECT_EQ(consumed, "consumed 1000000 messages in order, none lost or duplicated\n");
    EXPECT_EQ(word(1), kMessages) << "head";
    EXPECT_EQ(word(2), kMessages) << "tail";
    auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    std::printf("idle consumer: %ld ticks in 1 s; CPU time (getrusage): producer %.2f s, consumer %.2f s\n",
                idle_ticks, seconds(producer_usage.ru_utime) + seconds(producer_usage.ru_stime),
                seconds(consumer_usage.ru_utime) + seconds(consumer_usage.ru_stime));
  }

  std::string shm_;
  std::shared_ptr<Region> region_;
};

// N processes x M atomic increments of one word of a shm window = exactly N x M.
TEST_F(CrossProcessSyncTest, AtomicIncrementsFromManyProcessesAreExact) {
  constexpr int kProcesses = 4;
  constexpr uint32_t kIncrements = 250'000;
  std::vector<Child> children;
  for (int i = 0; i < kProcesses; ++i) children.push_back(guest("count", kIncrements));
  for (Child& c : children) {
    ASSERT_GT(c.pid, 0);
    int status = 0;
    std::string out = finish_process(c, &status);
    EXPECT_TRUE(exited_with(status, 0)) << out;
  }
  EXPECT_EQ(word(0), kProcesses * kIncrements);
}

// Guests in two processes, and a native program with guests, count into the same word.
TEST_F(CrossProcessSyncTest, GuestsAndNativeProgramsCountTogether) {
  std::vector<Child> children = {guest("count", 100'000), native("count", 100'000),
                                 guest("count", 100'000), native("count", 100'000)};
  for (Child& c : children) {
    int status = 0;
    finish_process(c, &status);
    EXPECT_TRUE(exited_with(status, 0));
  }
  EXPECT_EQ(word(0), 400'000u);
}

TEST_F(CrossProcessSyncTest, RingBufferGuestToGuest) {
  ring(guest("consume", kMessages), [&] { return guest("produce", kMessages); });
}

TEST_F(CrossProcessSyncTest, RingBufferNativeProgramToGuest) {
  ring(guest("consume", kMessages), [&] { return native("produce", kMessages); });
}

TEST_F(CrossProcessSyncTest, RingBufferGuestToNativeProgram) {
  ring(native("consume", kMessages), [&] { return guest("produce", kMessages); });
}

}  // namespace
}  // namespace aperture
