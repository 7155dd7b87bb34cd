// Item 8 of the fault discipline: an interpreter function's code holds absolute pointers
// into itself (branch targets) once finalised, so it must never be copied (a copy would
// branch into the original's buffer, a use after free once that is gone); moving it keeps
// the buffer and is fine.
#include <gtest/gtest.h>

#include <type_traits>

#include "interp/code.h"

namespace aperture {
namespace {

TEST(InterpCodeTest, IsMovableButNotCopyable) {
  EXPECT_FALSE(std::is_copy_constructible_v<InterpCode>);
  EXPECT_FALSE(std::is_copy_assignable_v<InterpCode>);
  EXPECT_TRUE(std::is_nothrow_move_constructible_v<InterpCode>);
  EXPECT_TRUE(std::is_nothrow_move_assignable_v<InterpCode>);
}

TEST(InterpCodeTest, MovingKeepsTheSlotsWhereSelfPointersPointToThem) {
  InterpCode a;
  a.code.resize(4);
  a.code[3].target = &a.code[1];
  const Slot* buffer = a.code.data();
  InterpCode b = std::move(a);
  EXPECT_EQ(b.code.data(), buffer);
  EXPECT_EQ(b.code[3].target, &b.code[1]);
}

}  // namespace
}  // namespace aperture
