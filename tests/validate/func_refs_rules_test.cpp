// Typed function references (WebAssembly 3.0) in the validator: subtyping, non-nullable
// locals (local_init), call_ref, ref.as_non_null, br_on_null, br_on_non_null, tables of
// non-nullable references.
#include <gtest/gtest.h>

#include "validate/builder.h"

namespace aperture::test {
namespace {

using O = Opcode;
const ValType REF0 = make_ref(false, kHeapConcrete + 0);       // (ref 0)
const ValType NULLREF0 = make_ref(true, kHeapConcrete + 0);    // (ref null 0)
const ValType REF1 = make_ref(false, kHeapConcrete + 1);       // (ref 1)
// Types 0: (func (param i32) (result i32)), 1: (func (result i64)), before the test's own.
const auto kTwoTypes = [](ModuleBuilder& b) {
  b.type({I32}, {I32});
  b.type({}, {I64});
};

TEST(FuncRefsRules, NonNullableLocalMustBeSetBeforeUse) {
  EXPECT_EQ(check_func({}, {}, Body().local(REF0).op(O::LocalGet, 0).op(O::Drop), kTwoTypes),
            "uninitialized local");
  EXPECT_EQ(check_func({NULLREF0}, {}, Body().local(REF0).op(O::LocalGet, 0).op(O::RefAsNonNull)
                                         .op(O::LocalSet, 1).op(O::LocalGet, 1).op(O::Drop),
                       kTwoTypes),
            "valid");
  // A set inside a block is forgotten at its end.
  EXPECT_EQ(check_func({NULLREF0}, {}, Body().local(REF0).block(O::Block, bt_empty())
                                         .op(O::LocalGet, 0).op(O::RefAsNonNull)
                                         .op(O::LocalSet, 1).op(O::LocalGet, 1).op(O::Drop).end()
                                         .op(O::LocalGet, 1).op(O::Drop),
                       kTwoTypes),
            "uninitialized local");
  // Nullable reference locals default to null: no set needed.
  EXPECT_EQ(check_func({}, {}, Body().local(NULLREF0).op(O::LocalGet, 0).op(O::Drop), kTwoTypes),
            "valid");
}

TEST(FuncRefsRules, CallRefChecksTheFunctionType) {
  // call_ref 0 with a (ref null 0): valid; with funcref or a (ref 1): type mismatch.
  EXPECT_EQ(check_func({NULLREF0}, {I32}, Body().i32(1).op(O::LocalGet, 0).op(O::CallRef, 0),
                       kTwoTypes),
            "valid");
  EXPECT_EQ(check_func({FUNCREF}, {I32}, Body().i32(1).op(O::LocalGet, 0).op(O::CallRef, 0),
                       kTwoTypes),
            "type mismatch");
  EXPECT_EQ(check_func({REF1}, {I32}, Body().i32(1).op(O::LocalGet, 0).op(O::CallRef, 0),
                       kTwoTypes),
            "type mismatch");
  EXPECT_EQ(check_func({REF0}, {I32}, Body().i64(1).op(O::LocalGet, 0).op(O::CallRef, 0),
                       kTwoTypes),
            "type mismatch")
      << "argument of the wrong type";
  EXPECT_EQ(check_func({}, {}, Body().op(O::CallRef, 99), kTwoTypes), "unknown type");
}

TEST(FuncRefsRules, Subtyping) {
  // (ref 0) <: (ref null 0) <: funcref, but funcref is no (ref null 0).
  EXPECT_EQ(check_func({REF0}, {FUNCREF}, Body().op(O::LocalGet, 0), kTwoTypes), "valid");
  EXPECT_EQ(check_func({REF0}, {NULLREF0}, Body().op(O::LocalGet, 0), kTwoTypes), "valid");
  EXPECT_EQ(check_func({NULLREF0}, {REF0}, Body().op(O::LocalGet, 0), kTwoTypes), "type mismatch");
  EXPECT_EQ(check_func({FUNCREF}, {NULLREF0}, Body().op(O::LocalGet, 0), kTwoTypes),
            "type mismatch");
  EXPECT_EQ(check_func({REF0}, {EXTERNREF}, Body().op(O::LocalGet, 0), kTwoTypes), "type mismatch");
  EXPECT_EQ(check_func({make_ref(false, kHeapConcrete + 7)}, {}, Body(), kTwoTypes), "unknown type");
}

TEST(FuncRefsRules, NullBranches) {
  // br_on_null 0 in a block of [] -> [i32]: the label gets nothing but an i32.
  EXPECT_EQ(check_func({NULLREF0}, {}, Body().block(O::Block, bt_empty()).op(O::LocalGet, 0)
                                         .op(O::BrOnNull, 0).op(O::Drop).end(),
                       kTwoTypes),
            "valid");
  // br_on_non_null needs a label whose last type is a reference.
  EXPECT_EQ(check_func({NULLREF0}, {}, Body().block(O::Block, bt_empty()).op(O::LocalGet, 0)
                                         .op(O::BrOnNonNull, 0).end(),
                       kTwoTypes),
            "type mismatch");
  EXPECT_EQ(check_func({NULLREF0}, {REF0}, Body().block(O::Block, bt_val(REF0)).op(O::LocalGet, 0)
                                             .op(O::BrOnNonNull, 0).op(O::Unreachable).end(),
                       kTwoTypes),
            "valid");
  EXPECT_EQ(check_func({I32}, {}, Body().op(O::LocalGet, 0).op(O::RefAsNonNull).op(O::Drop),
                       kTwoTypes),
            "type mismatch")
      << "ref.as_non_null of an i32";
}

TEST(FuncRefsRules, TableOfNonNullableReferencesNeedsAnInitialiser) {
  ModuleBuilder b;
  b.type({}, {});
  b.table(make_ref(false, kHeapFunc), 1);
  b.m.table_inits.emplace_back();
  EXPECT_EQ(check(b.m), "type mismatch");
  b.func(0, Body());
  b.m.table_inits[0] = cexpr(Body().op(O::RefFunc, 0));
  EXPECT_EQ(check(b.m), "valid") << "ref.func is (ref 0), a (ref func)";
}

}  // namespace
}  // namespace aperture::test
