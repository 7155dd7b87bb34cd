// Typed function references (WebAssembly 3.0) running in the engine under test: call_ref,
// the traps on null ("null function reference", "null reference", exactly the spec's
// messages in every engine), and a typed reference crossing the host boundary as funcref.
#include <gtest/gtest.h>

#include <functional>

#include "aperture/runtime.h"
#include "engine_under_test.h"
#include "module_support.h"
#include "wasm_bytes.h"

namespace aperture {
namespace {

using testing_support::Bytes;

// Hand-assembled (wabt 1.0.32's wat2wasm has no call_ref):
//   type 0 (func (param i32) (result i32)), 1 (func (result i32)), 2 (func (result (ref 0)))
//   func 0 $inc (type 0): local.get 0 + 1
//   "call_inc"  (type 0): call_ref 0 (local.get 0) (ref.func $inc)
//   "call_null" (type 0): call_ref 0 (local.get 0) (ref.null 0)
//   "as_non_null_null" (type 1): ref.is_null (ref.as_non_null (ref.null func))
//   "get_ref"   (type 2): ref.func $inc
//   "take_ref"  (func (param (ref 0)) (result i32)): call_ref 0 (i32.const 5) (local.get 0)
//   elem declare func $inc
Bytes func_refs_module() {
  using testing_support::section;
  Bytes m = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  section(m, 1, {4,                                //
                 0x60, 1, 0x7F, 1, 0x7F,           // 0
                 0x60, 0, 1, 0x7F,                 // 1
                 0x60, 0, 1, 0x64, 0x00,           // 2: -> (ref 0)
                 0x60, 1, 0x64, 0x00, 1, 0x7F});   // 3: (ref 0) -> i32
  section(m, 3, {6, 0, 0, 0, 1, 2, 3});
  testing_support::export_section(m, {"call_inc", "call_null", "as_non_null_null", "get_ref", "take_ref"});
  section(m, 9, {1, 0x03, 0x00, 1, 0});  // elem declare func 0
  testing_support::code_section(m, {
      {0, 0x20, 0, 0x41, 1, 0x6A, 0x0B},      // inc
      {0, 0x20, 0, 0xD2, 0, 0x14, 0, 0x0B},   // call_inc
      {0, 0x20, 0, 0xD0, 0, 0x14, 0, 0x0B},   // call_null
      {0, 0xD0, 0x70, 0xD4, 0xD1, 0x0B},      // as_non_null_null
      {0, 0xD2, 0, 0x0B},                     // get_ref
      {0, 0x41, 5, 0x20, 0, 0x14, 0, 0x0B},   // take_ref
  });
  return m;
}

class FuncRefsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto compiled = compile(func_refs_module(), testing_support::engine_under_test());
    inst_ = &store_.instantiate(compiled, Linker{});
  }
  // The trap message of calling `name`, or "no trap".
  std::string trap_of(const std::string& name, std::vector<Value> args) {
    return testing_support::trap_of(*inst_, name, std::move(args));
  }
  Store store_;
  Instance* inst_ = nullptr;
};

TEST_F(FuncRefsTest, CallRefCallsTheReferencedFunction) {
  EXPECT_EQ(inst_->call("call_inc", std::vector<Value>{Value::i32(41)}).at(0).as_u32(), 42u);
}

TEST_F(FuncRefsTest, NullDereferencesTrapWithTheSpecMessages) {
  EXPECT_EQ(trap_of("call_null", {Value::i32(1)}), "null function reference");
  EXPECT_EQ(trap_of("as_non_null_null", {}), "null reference");
}

TEST_F(FuncRefsTest, TypedReferenceCrossesTheHostBoundaryAsFuncref) {
  std::vector<Value> r = inst_->call("get_ref", std::vector<Value>{});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].type, ValType::FuncRef) << "(ref 0) reads as funcref";
  EXPECT_FALSE(r[0].is_null());
  // ... and goes back in as a (ref 0) argument.
  EXPECT_EQ(inst_->call("take_ref", r).at(0).as_u32(), 6u);
  // A null cannot be passed where the type is non-nullable.
  try {
    inst_->call("take_ref", std::vector<Value>{Value::null(ValType::FuncRef)});
    FAIL() << "null accepted for (ref 0)";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("got a null reference"), std::string::npos) << e.what();
  }
  // Nor a function of another type (call_ref would run it with the wrong arguments).
  Value other{ValType::FuncRef, reinterpret_cast<uint64_t>(inst_->exported_function("get_ref"))};
  try {
    inst_->call("take_ref", std::vector<Value>{other});
    FAIL() << "a () -> (ref 0) function accepted for (ref 0)";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("must be a function of type (i32) -> (i32), got one of type"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace aperture

namespace aperture {
namespace {

// A (ref null 0) global and table that wasm code calls through with call_ref, which
// trusts the static type:
//   type 0 (func (param i32) (result i32)), 1 (func (result i32))
//   func 0 $inc (type 0); "call_global" (type 1): call_ref 0 (i32.const 5) (global.get 0);
//   "call_table" (type 1): call_ref 0 (i32.const 5) (table.get 0 (i32.const 0));
//   "other" (type 1): i32.const 42
//   table 0 (ref null 0) 1 (no initialiser: null); global 0 (mut (ref null 0)) = ref.func $inc
Bytes typed_slots_module() {
  using testing_support::name;
  using testing_support::section;
  Bytes m = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  section(m, 1, {2, 0x60, 1, 0x7F, 1, 0x7F, 0x60, 0, 1, 0x7F});
  section(m, 3, {4, 0, 1, 1, 1});
  section(m, 4, {1, 0x63, 0x00, 0x00, 1});
  section(m, 6, {1, 0x63, 0x00, 0x01, 0xD2, 0, 0x0B});
  Bytes slots;  // "g": global 0, "t": table 0
  name(slots, "g");
  slots.insert(slots.end(), {0x03, 0});
  name(slots, "t");
  slots.insert(slots.end(), {0x01, 0});
  testing_support::export_section(m, {"call_global", "call_table", "other"}, 2, slots);
  section(m, 9, {1, 0x03, 0x00, 1, 0});  // elem declare func 0
  testing_support::code_section(m, {
      {0, 0x20, 0, 0x41, 1, 0x6A, 0x0B},                 // inc
      {0, 0x41, 5, 0x23, 0, 0x14, 0, 0x0B},              // call_global
      {0, 0x41, 5, 0x41, 0, 0x25, 0, 0x14, 0, 0x0B},     // call_table
      {0, 0x41, 42, 0x0B},                               // other
  });
  return m;
}

// The host cannot store a function of another type where wasm code will call it as $t:
// call_ref would run it with the wrong arguments and results (in compiled code, a call
// through the wrong native signature).
TEST(TypedSlotsTest, HostWritesToTypedGlobalsAndTablesAreChecked) {
  Store store;
  Instance& inst = store.instantiate(compile(typed_slots_module(), testing_support::engine_under_test()), Linker{});
  Global* g = static_cast<Global*>(inst.find_export("g")->object);
  Table* t = static_cast<Table*>(inst.find_export("t")->object);
  Function* other = inst.exported_function("other");
  Function* inc = inst.funcs_[0];
  const auto ref = [](Function* f) { return reinterpret_cast<RefBits>(f); };
  EXPECT_EQ(inst.call("call_global", std::vector<Value>{}).at(0).as_u32(), 6u);

  for (auto write : std::vector<std::function<void()>>{
           [&] { g->set(Value{ValType::FuncRef, ref(other)}); },
           [&] { t->set(0, ref(other)); },
           [&] { t->grow(1, ref(other)); }}) {
    try {
      write();
      ADD_FAILURE() << "a () -> (i32) function was stored in a (ref null 0) slot";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("must be a function of type (i32) -> (i32), got one of type () -> (i32)"),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_EQ(t->size(), 1u) << "the refused grow added nothing";
  EXPECT_EQ(inst.call("call_global", std::vector<Value>{}).at(0).as_u32(), 6u) << "the global kept $inc";
  // The right type and null (the slots are nullable) are accepted.
  t->set(0, ref(inc));
  EXPECT_EQ(inst.call("call_table", std::vector<Value>{}).at(0).as_u32(), 6u);
  g->set(Value::null(ValType::FuncRef));
  t->set(0, 0);
}

}  // namespace
}  // namespace aperture
