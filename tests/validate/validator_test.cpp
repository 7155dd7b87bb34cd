// Validator: each rule accepts the valid form and rejects the invalid one with the
// spec's message. Modules are written in the text format and assembled with wat2wasm
// (--no-check, so that invalid modules can be produced) at test time.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include "aperture/error.h"
#include "binary/decoder.h"
#include "validate/validator.h"

namespace aperture {
namespace {

Module assemble(const std::string& wat) {
  // CTest runs each test case in its own process, in parallel: the pid keeps their files apart.
  static int counter = 0;
  std::string base = std::string(APERTURE_BINARY_DIR) + "/validator_test_" + std::to_string(getpid()) +
                     "_" + std::to_string(counter++);
  std::ofstream(base + ".wat") << wat;
  std::string cmd = "wat2wasm --no-check " + base + ".wat -o " + base + ".wasm 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << wat;
  std::ifstream in(base + ".wasm", std::ios::binary);
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  std::remove((base + ".wat").c_str());
  std::remove((base + ".wasm").c_str());
  return decode_module(bytes);
}

std::string error_of(const std::string& wat) {
  Module m = assemble(wat);
  try {
    validate_module(m);
  } catch (const ValidationError& e) {
    return e.detail();
  }
  return "valid";
}

TEST(ValidatorTest, ValidFunctions) {
  EXPECT_EQ(error_of("(module (func (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))"), "valid");
  EXPECT_EQ(error_of("(module (func (result i32 i64) (i32.const 1) (i64.const 2)))"), "valid");
  EXPECT_EQ(error_of("(module (func (result i32) (block (result i32) (i32.const 1) (br 0))))"), "valid");
  EXPECT_EQ(error_of("(module (func (result i32) (unreachable) (i32.add)))"), "valid")
      << "the stack is polymorphic after unreachable";
}

TEST(ValidatorTest, TypeMismatch) {
  EXPECT_EQ(error_of("(module (func (result i32) (i64.const 1)))"), "type mismatch");
  EXPECT_EQ(error_of("(module (func (i32.add (i32.const 1))))"), "type mismatch");
  EXPECT_EQ(error_of("(module (func (result i32) (i32.const 1) (i32.const 2)))"), "type mismatch");
  EXPECT_EQ(error_of("(module (func (if (i32.const 1) (then (i32.const 1) (drop))) (i32.const 0) (drop)))"), "valid");
  EXPECT_EQ(error_of("(module (func (result i32) (if (result i32) (i32.const 1) (then (i32.const 1)))))"),
            "type mismatch")
      << "if without else must have params == results";
}

TEST(ValidatorTest, UnknownIndices) {
  EXPECT_EQ(error_of("(module (func (local.get 0) (drop)))").rfind("unknown local", 0), 0u);
  EXPECT_EQ(error_of("(module (func (global.get 0) (drop)))").rfind("unknown global", 0), 0u);
  EXPECT_EQ(error_of("(module (func (call 5)))").rfind("unknown function", 0), 0u);
  EXPECT_EQ(error_of("(module (func (br 1)))"), "unknown label");
  EXPECT_EQ(error_of("(module (func (i32.load (i32.const 0)) (drop)))").rfind("unknown memory", 0), 0u);
}

TEST(ValidatorTest, GlobalsAndConstantExpressions) {
  EXPECT_EQ(error_of("(module (global i32 (i32.const 0)) (func (global.set 0 (i32.const 1))))"),
            "global is immutable");
  EXPECT_EQ(error_of("(module (global i32 (i64.const 0)))"), "type mismatch");
  EXPECT_EQ(error_of("(module (global i32 (i32.add (i32.const 0) (i32.const 1))))"), "valid")
      << "extended constant expressions (WebAssembly 3.0)";
  EXPECT_EQ(error_of("(module (global i32 (i32.div_s (i32.const 0) (i32.const 1))))"),
            "constant expression required");
}

TEST(ValidatorTest, MemoryRules) {
  EXPECT_EQ(error_of("(module (memory 1) (func (i32.load align=8 (i32.const 0)) (drop)))"),
            "alignment must not be larger than natural");
  EXPECT_EQ(error_of("(module (memory 65537))"), "memory size must be at most 65536 pages (4GiB)");
  EXPECT_EQ(error_of("(module (memory 2 1))"), "size minimum must not be greater than maximum");
}

TEST(ValidatorTest, ModuleRules) {
  EXPECT_EQ(error_of("(module (func (export \"a\")) (func (export \"a\")))"), "duplicate export name");
  EXPECT_EQ(error_of("(module (func $s (param i32)) (start $s))"), "start function");
  EXPECT_EQ(error_of("(module (func (ref.func 0) (drop)))"), "undeclared function reference");
  EXPECT_EQ(error_of("(module (func (export \"f\") (ref.func 0) (drop)))"), "valid");
}

TEST(ValidatorTest, ModuleLevelErrorsNameTheirOffset) {
  Module m = assemble("(module (func (export \"a\")) (func (export \"a\")))");
  ASSERT_EQ(m.exports.size(), 2u);
  try {
    validate_module(m);
    FAIL() << "duplicate export accepted";
  } catch (const ValidationError& e) {
    EXPECT_EQ(e.offset(), m.exports[1].offset);
    EXPECT_GT(e.offset(), 8u) << "points into the export section, not at the header";
  }
  Module mem = assemble("(module (memory 3 2))");
  try {
    validate_module(mem);
    FAIL() << "min > max accepted";
  } catch (const ValidationError& e) {
    ASSERT_EQ(mem.memory_offsets.size(), 1u);
    EXPECT_EQ(e.offset(), mem.memory_offsets[0]);
  }
}

TEST(ValidatorTest, SelectNeedsNumericOperandsWithoutAnnotation) {
  EXPECT_EQ(error_of("(module (func (result funcref) (select (ref.null func) (ref.null func) (i32.const 1))))"),
            "type mismatch");
  EXPECT_EQ(error_of("(module (func (result funcref) (select (result funcref) (ref.null func) (ref.null func) (i32.const 1))))"),
            "valid");
}

TEST(ValidatorTest, BrTableArityMustAgree) {
  EXPECT_EQ(error_of("(module (func (block (result i32) (block (br_table 0 1 (i32.const 0) (i32.const 0)))) (drop)))"),
            "type mismatch");
}

}  // namespace
}  // namespace aperture
