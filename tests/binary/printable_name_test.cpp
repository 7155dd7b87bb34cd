// printable_name: what a module may name things is escaped before it reaches a terminal.
#include "binary/printable_name.h"

#include <gtest/gtest.h>

namespace aperture {
namespace {

TEST(PrintableNameTest, OrdinaryNamesAreUnchanged) {
  EXPECT_EQ(printable_name("main"), "main");
  EXPECT_EQ(printable_name("_ZN3foo3barEv"), "_ZN3foo3barEv");
  EXPECT_EQ(printable_name("grüße €"), "grüße €");  // UTF-8 beyond the controls stays
  EXPECT_EQ(printable_name("\xC2\xA0"), "\xC2\xA0");   // U+00A0 is not a control
  EXPECT_EQ(printable_name(""), "");
}

TEST(PrintableNameTest, ControlCharactersAreEscaped) {
  EXPECT_EQ(printable_name("\x1b[2Jgone"), "\\x1b[2Jgone");
  EXPECT_EQ(printable_name("a\nb\rc\td"), "a\\x0ab\\x0dc\\x09d");
  EXPECT_EQ(printable_name(std::string("x\0y", 3)), "x\\x00y");
  EXPECT_EQ(printable_name("\x7f"), "\\x7f");
  EXPECT_EQ(printable_name("\xC2\x9B" "31m"), "\\u{9b}31m");  // C1 CSI
  EXPECT_EQ(printable_name("\xC2\x80\xC2\x9F"), "\\u{80}\\u{9f}");
  EXPECT_EQ(printable_name("\xC2"), "\xC2");  // a lone lead byte at the end is left alone
}

TEST(PrintableNameTest, BackslashIsEscapedSoEscapesAreUnambiguous) {
  EXPECT_EQ(printable_name("\\x1b"), "\\\\x1b");
  EXPECT_NE(printable_name("\\x1b"), printable_name("\x1b"));
}

}  // namespace
}  // namespace aperture
