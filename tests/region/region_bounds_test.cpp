// Region sizes and offsets that are negative, overflow or exceed what a file can hold are
// refused before anything is touched: no file is created, extended or opened.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "aperture/memory.h"
#include "aperture/region.h"

namespace aperture {
namespace {

const uint64_t kPage = host_page_size();

std::string temp_path(const char* tag) {
  return std::string(APERTURE_BINARY_DIR) + "/region_bounds_" + tag + "_" + std::to_string(getpid());
}

bool exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

uint64_t file_size(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

TEST(RegionBoundsTest, ParseSizeRejectsSignsAndOverflow) {
  for (const char* bad : {"-1", "-4096", "+5", " 5", "5 ", "18446744073709551616", "16777216T",
                          "17179869184G", "0x", "K", "1.5K"}) {
    EXPECT_THROW(parse_size(bad), Error) << bad;
  }
  EXPECT_EQ(parse_size("010"), 10u) << "decimal, not octal";
  EXPECT_EQ(parse_size("0x1000"), 4096u);
  EXPECT_EQ(parse_size("8G"), 8ull << 30);
  EXPECT_EQ(parse_size("18446744073709551615"), UINT64_MAX) << "the largest value parses; regions refuse it";
}

TEST(RegionBoundsTest, HugeSizesAreRefusedNotWrapped) {
  for (uint64_t size : std::initializer_list<uint64_t>{UINT64_MAX, UINT64_MAX - kPage + 2, 1ull << 63}) {
    EXPECT_THROW(Region::create_memfd(size, "huge"), RegionError) << size;
    EXPECT_THROW(Region::create_anonymous(size, "huge"), RegionError) << size;
  }
  try {
    Region::create_memfd(UINT64_MAX, "huge");
  } catch (const RegionError& e) {
    EXPECT_NE(std::string(e.what()).find("too large"), std::string::npos) << e.what();
  }
}

TEST(RegionBoundsTest, FileOffsetThatWrapsTouchesNothing) {
  std::string path = temp_path("wrap");
  unlink(path.c_str());
  // offset = -4096 as an unsigned number: offset + size wraps to 4096.
  EXPECT_THROW(Region::open_file(path, UINT64_MAX - kPage + 1, 2 * kPage, true), RegionError);
  EXPECT_FALSE(exists(path)) << "the file was created";
  EXPECT_THROW(Region::open_file(path, 0, UINT64_MAX, true), RegionError);
  EXPECT_THROW(Region::open_file(path, 1ull << 63, kPage, true), RegionError);
  EXPECT_FALSE(exists(path));
  // An existing file is not extended either.
  int fd = open(path.c_str(), O_RDWR | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, static_cast<off_t>(kPage)), 0);
  close(fd);
  EXPECT_THROW(Region::open_file(path, UINT64_MAX - kPage + 1, 2 * kPage, true), RegionError);
  EXPECT_THROW(Region::open_file(path, (1ull << 63) - kPage, 2 * kPage, true), RegionError);
  EXPECT_EQ(file_size(path), kPage) << "the file was extended";
  unlink(path.c_str());
}

TEST(RegionBoundsTest, DeviceAndFdRangesThatWrapAreRefused) {
  EXPECT_THROW(Region::open_device("/dev/zero", UINT64_MAX - kPage + 1, 2 * kPage, false), RegionError);
  EXPECT_THROW(Region::open_device("/dev/zero", 0, UINT64_MAX, false), RegionError);
  int fd = open("/dev/zero", O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_THROW(Region::from_fd(fd, UINT64_MAX - kPage + 1, 2 * kPage, false), RegionError);
  EXPECT_THROW(Region::from_fd(fd, 0, UINT64_MAX, false), RegionError);
  close(fd);
}

}  // namespace
}  // namespace aperture
