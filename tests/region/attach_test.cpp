// Attach modes through the C++ API, inside one process: every attachment has its own open
// file description, so two memories of one process exclude each other as two processes
// would (tests/region/attach_process_test.cpp has the multi-process cases).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "aperture/memory.h"
#include "aperture/region.h"

namespace aperture {
namespace {

const uint64_t kPage = host_page_size();
constexpr uint64_t kAt = 0x10000000;

WindowOptions mode(Attach a, std::chrono::nanoseconds wait = std::chrono::nanoseconds(0)) {
  WindowOptions o;
  o.attach = a;
  o.wait = wait;
  return o;
}

Access access_for(Attach a) { return a == Attach::Exclusive ? Access::ReadWrite : Access::Read; }

class AttachTest : public ::testing::Test {
 protected:
  // Attaches `region` into memory `m` at kAt; the RegionError's errno, or 0.
  uint32_t attach(Memory& m, Attach a, uint64_t offset = 0, uint64_t length = 0,
                  std::chrono::nanoseconds wait = std::chrono::nanoseconds(0)) {
    try {
      map_window(m, region_, offset, length, kAt, access_for(a), mode(a, wait));
    } catch (const RegionError& e) {
      return e.wasi_errno();
    }
    return 0;
  }
  std::shared_ptr<Region> region_ = Region::create_memfd(4 * kPage, "plc");
  Memory a_{MemoryType{Limits{1, std::nullopt}}};
  Memory b_{MemoryType{Limits{1, std::nullopt}}};
  Memory c_{MemoryType{Limits{1, std::nullopt}}};
};

constexpr uint32_t kEbusy = 10, kEtimedout = 73, kEinval = 28, kEacces = 2;

TEST_F(AttachTest, ExclusiveExcludesEveryOtherAttachment) {
  ASSERT_EQ(attach(a_, Attach::Exclusive), 0u);
  EXPECT_EQ(attach(b_, Attach::Exclusive), kEbusy);
  EXPECT_EQ(attach(b_, Attach::Shared), kEbusy);
  EXPECT_EQ(b_.window_count(), 0u) << "a refused attachment maps nothing";
  EXPECT_EQ(window_attach_mode(a_, kAt + 5), Attach::Exclusive);
}

TEST_F(AttachTest, SharedExcludesOnlyWriters) {
  ASSERT_EQ(attach(a_, Attach::Shared), 0u);
  EXPECT_EQ(attach(b_, Attach::Shared), 0u) << "readers may be many";
  EXPECT_EQ(attach(c_, Attach::Exclusive), kEbusy);
  unmap_window(a_, kAt, region_->size());
  EXPECT_EQ(attach(c_, Attach::Exclusive), kEbusy) << "one reader is left";
  unmap_window(b_, kAt, region_->size());
  EXPECT_EQ(attach(c_, Attach::Exclusive), 0u) << "unmapping released both readers";
}

TEST_F(AttachTest, AttachmentsOfDisjointBytesDoNotConflict) {
  ASSERT_EQ(attach(a_, Attach::Exclusive, 0, 2 * kPage), 0u);
  EXPECT_EQ(attach(b_, Attach::Exclusive, 2 * kPage, 2 * kPage), 0u);
  EXPECT_EQ(attach(c_, Attach::Shared, kPage, 2 * kPage), kEbusy) << "overlaps both writers";
}

TEST_F(AttachTest, AWaitEndsWithEtimedoutAfterTheTimeout) {
  ASSERT_EQ(attach(a_, Attach::Exclusive), 0u);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(attach(b_, Attach::Shared, 0, 0, std::chrono::milliseconds(150)), kEtimedout);
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(150));
}

TEST_F(AttachTest, AWaitEndsWhenTheConflictingAttachmentGoes) {
  ASSERT_EQ(attach(a_, Attach::Exclusive), 0u);
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    unmap_window(a_, kAt, region_->size());
  });
  EXPECT_EQ(attach(b_, Attach::Exclusive, 0, 0, kWaitForever), 0u);
  releaser.join();
  EXPECT_EQ(attach(c_, Attach::Shared, 0, 0, std::chrono::milliseconds(100)), kEtimedout)
      << "and now b holds it";
}

TEST_F(AttachTest, ModeAndAccessMustAgree) {
  auto refused = [&](Access access, Attach a) {
    try {
      map_window(a_, region_, 0, 0, kAt, access, mode(a));
    } catch (const RegionError& e) {
      return e.wasi_errno();
    }
    return 0u;
  };
  EXPECT_EQ(refused(Access::Read, Attach::Exclusive), kEinval);
  EXPECT_EQ(refused(Access::ReadWrite, Attach::Shared), kEinval);
  auto path = std::string(APERTURE_BINARY_DIR) + "/attach_ro_test_" + std::to_string(getpid()) + ".bin";
  Region::open_file(path, 0, kPage, true, true);
  auto ro = Region::open_file(path, 0, kPage, false, false);
  try {
    map_window(a_, ro, 0, 0, kAt, Access::ReadWrite, mode(Attach::Exclusive));
    ADD_FAILURE() << "exclusive on a read-only region";
  } catch (const RegionError& e) {
    EXPECT_EQ(e.wasi_errno(), kEacces) << e.what();
  }
  unlink(path.c_str());
  EXPECT_EQ(attach(a_, Attach::Shared), 0u);
  try {
    protect_window(a_, kAt, region_->size(), Access::ReadWrite);
    ADD_FAILURE() << "a reader's window became writable";
  } catch (const RegionError& e) {
    EXPECT_EQ(e.wasi_errno(), kEacces) << e.what();
  }
}

TEST_F(AttachTest, TheRefusalSaysWhoHoldsTheBytes) {
  ASSERT_EQ(attach(a_, Attach::Shared), 0u);
  try {
    map_window(b_, region_, 0, 0, kAt, Access::ReadWrite, mode(Attach::Exclusive));
    ADD_FAILURE() << "no refusal";
  } catch (const RegionError& e) {
    EXPECT_NE(std::string(e.what()).find("region 'plc'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("attached shared elsewhere (readers)"), std::string::npos)
        << e.what();
  }
}

TEST_F(AttachTest, DestroyingTheMemoryReleasesItsAttachments) {
  {
    Memory m{MemoryType{Limits{1, std::nullopt}}};
    ASSERT_EQ(attach(m, Attach::Exclusive), 0u);
    EXPECT_EQ(attach(a_, Attach::Shared), kEbusy);
  }
  EXPECT_EQ(attach(a_, Attach::Shared), 0u);
}

}  // namespace
}  // namespace aperture
