// Names chosen by a module (name section, imports, exports) reach the terminal with
// control characters escaped (binary/printable_name.h): a backtrace, a link error or
// `aperture inspect` never writes raw escape sequences.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "run_aperture.h"

namespace {

using aperture::cli_test::contains;
using aperture::cli_test::Result;
using aperture::cli_test::run_aperture;
using aperture::cli_test::wat_module;

// No ESC, BEL or C1 CSI byte pair anywhere in the output.
bool has_raw_controls(const std::string& out) {
  return out.find('\x1b') != std::string::npos || out.find('\x07') != std::string::npos ||
         out.find("\xC2\x9B") != std::string::npos;
}

// One function, exported as "f", whose body is `unreachable`; the name section calls it
// `name`.
std::vector<uint8_t> trapping_module_named(const std::string& name) {
  std::vector<uint8_t> b = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                            0x01, 0x04, 0x01, 0x60, 0x00, 0x00,         // type () -> ()
                            0x03, 0x02, 0x01, 0x00,                     // one function
                            0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00,    // export "f"
                            0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b};  // unreachable
  std::vector<uint8_t> names = {0x01, 0x00, static_cast<uint8_t>(name.size())};  // map of 1
  names.insert(names.end(), name.begin(), name.end());
  std::vector<uint8_t> sub = {0x01, static_cast<uint8_t>(names.size())};  // function names
  sub.insert(sub.end(), names.begin(), names.end());
  std::vector<uint8_t> custom = {0x04, 'n', 'a', 'm', 'e'};
  custom.insert(custom.end(), sub.begin(), sub.end());
  b.push_back(0x00);
  b.push_back(static_cast<uint8_t>(custom.size()));
  b.insert(b.end(), custom.begin(), custom.end());
  return b;
}

TEST(ControlNamesTest, BacktraceEscapesANameSectionName) {
  std::string path = std::string(APERTURE_BINARY_DIR) + "/control_names_" +
                     std::to_string(getpid()) + ".wasm";
  std::vector<uint8_t> bytes = trapping_module_named("\x1b[2J\x1b]0;pwned\x07" "f\xC2\x9B" "1m");
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
  Result r = run_aperture("run " + path + " --invoke f");
  unlink(path.c_str());
  EXPECT_EQ(r.exit_code, 134) << r.out;
  EXPECT_TRUE(contains(r.out, "#0 \\x1b[2J\\x1b]0;pwned\\x07f\\u{9b}1m\n")) << r.out;
  EXPECT_FALSE(has_raw_controls(r.out)) << r.out;
}

TEST(ControlNamesTest, LinkErrorEscapesImportNames) {
  Result r = run_aperture("run " + wat_module("control_names"));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "\"\\x1b[2Jevil\" \"\\x1b]0;pwned\\x07\"")) << r.out;
  EXPECT_FALSE(has_raw_controls(r.out)) << r.out;
}

TEST(ControlNamesTest, InspectEscapesImportAndExportNames) {
  Result r = run_aperture("inspect " + wat_module("control_names"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "\\x1b[2Jevil.\\x1b]0;pwned\\x07")) << r.out;
  EXPECT_TRUE(contains(r.out, "run\\x1b[31m\\u{9b}1m")) << r.out;
  EXPECT_FALSE(has_raw_controls(r.out)) << r.out;
}

}  // namespace
