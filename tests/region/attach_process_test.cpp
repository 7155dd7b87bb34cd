// Attach modes across real processes: `aperture run` processes running C guests
// (tests/region/guests/attach_hold.c, attach_cycles.c) contend for one POSIX shm region.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <chrono>
#include <memory>
#include <set>

#include "aperture/region.h"
#include "child_process.h"

namespace aperture {
namespace {

using testing_support::ChildProcess;

std::string aperture_path() { return std::string(APERTURE_BINARY_DIR) + "/aperture"; }
std::string guest(const std::string& name) {
  return std::string(APERTURE_BINARY_DIR) + "/region_guests/" + name + ".wasm";
}

class AttachProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
#ifndef APERTURE_GUESTS_BUILT
    GTEST_SKIP() << "configured with APERTURE_BUILD_GUESTS=OFF";
#endif
    shm_ = "/aperture_attach_" + std::to_string(getpid());
    shm_unlink(shm_.c_str());
    region_ = Region::create_shm(shm_, 64 * 1024);
  }
  void TearDown() override { shm_unlink(shm_.c_str()); }

  // `aperture run` of attach_hold MODE TIMEOUT_MS with "data" granted.
  std::unique_ptr<ChildProcess> hold(const std::string& mode, int timeout_ms) {
    return std::make_unique<ChildProcess>(std::vector<std::string>{
        aperture_path(), "run", "--region", "data=shm:" + shm_, "--grant", "data:rw",
        guest("attach_hold"), mode, std::to_string(timeout_ms)});
  }
  static void release(ChildProcess& c) {
    c.send("release\n");
    EXPECT_EQ(c.line(), "detached 0");
    EXPECT_EQ(c.wait(), 0);
  }
  uint32_t* words() { return reinterpret_cast<uint32_t*>(region_->data()); }

  std::string shm_;
  std::shared_ptr<Region> region_;
};

TEST_F(AttachProcessTest, TwoWritersRacingExactlyOneWinsTheOtherGetsEbusy) {
  for (int round = 1; round <= 3; ++round) {
    auto a = hold("exclusive", 0);
    auto b = hold("exclusive", 0);
    std::string la = a->line(), lb = b->line();
    std::string won = "attached exclusive " + std::to_string(round);
    EXPECT_TRUE((la == won && lb == "refused -10") || (lb == won && la == "refused -10"))
        << "round " << round << ": '" << la << "' and '" << lb << "'";
    ChildProcess& winner = la == won ? *a : *b;
    ChildProcess& loser = la == won ? *b : *a;
    EXPECT_EQ(loser.wait(), 0);
    release(winner);
  }
  EXPECT_EQ(words()[0], 3u) << "each round had exactly one writer";
}

TEST_F(AttachProcessTest, KillingTheWinnerWithSigkillLetsTheOtherAttach) {
  auto winner = hold("exclusive", 0);
  ASSERT_EQ(winner->line(), "attached exclusive 1");
  auto refused = hold("exclusive", 0);
  EXPECT_EQ(refused->line(), "refused -10");
  auto waiting = hold("exclusive", 30000);
  EXPECT_TRUE(waiting->quiet_for(300)) << "a blocking attach waits while the winner lives";
  winner->kill(SIGKILL);
  EXPECT_EQ(winner->wait(), 128 + SIGKILL);
  EXPECT_EQ(waiting->line(), "attached exclusive 2") << "the dead winner's lock is gone";
  release(*waiting);
  auto after = hold("exclusive", 0);
  EXPECT_EQ(after->line(), "attached exclusive 3");
  release(*after);
}

TEST_F(AttachProcessTest, ReadersBlockAWriterAndAWriterBlocksReaders) {
  auto r1 = hold("shared", 0);
  ASSERT_EQ(r1->line(), "attached shared 0");
  auto r2 = hold("shared", 0);
  EXPECT_EQ(r2->line(), "attached shared 0") << "readers may be many";
  auto w = hold("exclusive", 0);
  EXPECT_EQ(w->line(), "refused -10") << "readers block a writer";
  auto timed = hold("exclusive", 200);
  EXPECT_EQ(timed->line(), "refused -73") << "a timed wait ends with ETIMEDOUT";
  release(*r1);
  release(*r2);
  auto writer = hold("exclusive", 0);
  ASSERT_EQ(writer->line(), "attached exclusive 1");
  auto r3 = hold("shared", 0);
  EXPECT_EQ(r3->line(), "refused -10") << "a writer blocks readers";
  auto r4 = hold("shared", 30000);
  EXPECT_TRUE(r4->quiet_for(300));
  release(*writer);
  EXPECT_EQ(r4->line(), "attached shared 1") << "the waiting reader gets in when the writer leaves";
  release(*r4);
}

TEST_F(AttachProcessTest, TenThousandCyclesInFourProcessesMatchASerialReplay) {
  constexpr int kProcesses = 4, kCycles = 2500;
  auto start = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<ChildProcess>> procs;
  for (int p = 0; p < kProcesses; ++p)
    procs.push_back(std::make_unique<ChildProcess>(std::vector<std::string>{
        aperture_path(), "run", "--region", "data=shm:" + shm_, "--grant", "data:rw",
        guest("attach_cycles"), std::to_string(p), std::to_string(kCycles)}));
  for (int p = 0; p < kProcesses; ++p) {
    EXPECT_EQ(procs[p]->line(60000), "process " + std::to_string(p) + ": 2500 cycles");
    EXPECT_EQ(procs[p]->wait(), 0);
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  std::printf("10000 attach/detach cycles in 4 processes: %lld ms\n", static_cast<long long>(ms.count()));

  // Every cycle is logged once, each process's cycles in order; replaying the log
  // serially gives exactly the data the processes left.
  const uint32_t* w = words();
  ASSERT_EQ(w[0], static_cast<uint32_t>(kProcesses * kCycles));
  uint32_t data[16] = {};
  uint32_t next_cycle[kProcesses] = {};
  for (uint32_t n = 0; n < w[0]; ++n) {
    uint32_t entry = w[64 + n], process = entry >> 16, cycle = entry & 0xFFFF;
    ASSERT_LT(process, static_cast<uint32_t>(kProcesses)) << "log entry " << n;
    ASSERT_EQ(cycle, next_cycle[process]++) << "log entry " << n;
    for (uint32_t k = 0; k < 16; ++k) data[k] = data[k] * 31u + entry + k;
  }
  for (uint32_t k = 0; k < 16; ++k) EXPECT_EQ(w[1 + k], data[k]) << "data word " << k;
}

TEST_F(AttachProcessTest, CommandLineBindingsAttachToo) {
  auto holder = hold("exclusive", 0);
  ASSERT_EQ(holder->line(), "attached exclusive 1");
  const std::string map = "--region io=shm:" + shm_ + " --map io@0x10000000,";
  auto run = [&](const std::string& args) {
    ChildProcess c(std::vector<std::string>{"/bin/sh", "-c", aperture_path() + " run " + args});
    std::string out, l;
    while ((l = c.line()) != "(eof)" && l != "(timeout)") out += l + "\n";
    return std::make_pair(c.wait(), out);
  };
  auto [code, out] = run(map + "exclusive " + guest("pipeline_stage") + " produce");
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("is attached exclusively elsewhere (a writer)"), std::string::npos) << out;
  std::tie(code, out) = run(map + "shared,wait=150ms " + guest("pipeline_stage") + " consume");
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("for the whole wait"), std::string::npos) << out;
  std::tie(code, out) = run(map + "shared,rw " + guest("pipeline_stage") + " consume");
  EXPECT_EQ(code, 2) << "a malformed option: " << out;
  std::tie(code, out) = run(map + "wait=1s " + guest("pipeline_stage") + " consume");
  EXPECT_EQ(code, 2) << out;
  for (const char* bad : {"-1s", "5", "1h", "ms", "+5s"}) {
    std::tie(code, out) = run(map + "exclusive,wait=" + bad + " " + guest("pipeline_stage") + " consume");
    EXPECT_EQ(code, 2) << bad << ": " << out;
    EXPECT_NE(out.find("bad wait"), std::string::npos) << out;
  }
  release(*holder);
  std::tie(code, out) = run(map + "exclusive,wait=5s " + guest("pipeline_stage") + " produce");
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(out, "produced 4096 values\n");
}

}  // namespace
}  // namespace aperture
