// Function bodies: the operand/control stack algorithm, one rule per test, each with a
// valid and an invalid form, on Modules built directly in the decoded IR.
#include <gtest/gtest.h>

#include "validate/builder.h"

namespace aperture::test {
namespace {

using O = Opcode;
const auto kOneMemory = [](ModuleBuilder& b) { b.memory(1); };

TEST(FunctionRules, NumericInstructionsFromTheTable) {
  EXPECT_EQ(check_func({I32}, {I32}, Body().op(O::LocalGet, 0).i32(1).op(O::I32Add)), "valid");
  EXPECT_EQ(check_func({}, {I32}, Body().i32(1).i64(1).op(O::I32Add)), "type mismatch");
  EXPECT_EQ(check_func({}, {I64}, Body().i32(1).op(O::I64ExtendI32S)), "valid");
  EXPECT_EQ(check_func({}, {I32}, Body().f64().op(O::I32TruncSatF64U)), "valid");
  EXPECT_EQ(check_func({}, {I32}, Body().f32().op(O::I32TruncSatF64U)), "type mismatch");
  EXPECT_EQ(check_func({}, {I64}, Body().i64(1).op(O::I64Extend32S)), "valid");
  EXPECT_EQ(check_func({}, {I32}, Body().i64(1).op(O::I32Extend8S)), "type mismatch");
  EXPECT_EQ(check_func({}, {I32}, Body().f32().f32().op(O::F32Lt)), "valid");
}

TEST(FunctionRules, StackHeightAtEnd) {
  EXPECT_EQ(check_func({}, {I32}, Body()), "type mismatch") << "missing result";
  EXPECT_EQ(check_func({}, {}, Body().i32(1)), "type mismatch") << "value left over";
  EXPECT_EQ(check_func({}, {I32}, Body().i64(1)), "type mismatch");
  EXPECT_EQ(check_func({}, {I32, I64}, Body().i32(1).i64(2)), "valid") << "multi-value";
  EXPECT_EQ(check_func({}, {I32, I64}, Body().i64(2).i32(1)), "type mismatch");
  EXPECT_EQ(check_func({}, {}, Body().op(O::Drop)), "type mismatch") << "pop from empty";
}

TEST(FunctionRules, UnreachableMakesTheStackPolymorphic) {
  EXPECT_EQ(check_func({}, {I32}, Body().op(O::Unreachable).op(O::I32Add)), "valid");
  EXPECT_EQ(check_func({}, {I32}, Body().op(O::Unreachable).i64(0).op(O::I32Add)),
            "type mismatch")
      << "known operands keep their types";
  EXPECT_EQ(check_func({}, {}, Body().op(O::Unreachable).op(O::Drop).op(O::Drop)), "valid");
  EXPECT_EQ(check_func({}, {I32}, Body().op(O::Return).op(O::F32Neg)), "type mismatch")
      << "f32 result on the stack at the end";
  EXPECT_EQ(check_func({}, {I32}, Body().block(O::Block, bt_empty()).op(O::Br, 0).op(O::I32Add)
                                      .op(O::Drop).end().i32(0)),
            "valid");
  EXPECT_EQ(check_func({}, {}, Body().op(O::Unreachable).end().op(O::Nop)),
            "operators remaining after end of function");
  // Unreachable code only polymorphises its own block.
  EXPECT_EQ(check_func({}, {I32}, Body().op(O::Unreachable).block(O::Block, bt_val(I32))
                                      .op(O::I32Add).end()),
            "type mismatch");
}

TEST(FunctionRules, Locals) {
  EXPECT_EQ(check_func({I32}, {F64}, Body().local(F64).op(O::LocalGet, 1)), "valid");
  EXPECT_EQ(check_func({I32}, {}, Body().local(F64).op(O::LocalGet, 2).op(O::Drop)),
            "unknown local 2")
      << "the message names the full local index (params included)";
  EXPECT_EQ(check_func({I32}, {}, Body().i64(0).op(O::LocalSet, 0)), "type mismatch");
  EXPECT_EQ(check_func({}, {I64}, Body().local(I64).i64(0).op(O::LocalTee, 0)), "valid");
  EXPECT_EQ(check_func({}, {I32}, Body().local(I64).i64(0).op(O::LocalTee, 0)), "type mismatch");
  EXPECT_EQ(check_func({}, {}, Body().i32(0).op(O::LocalSet, 0)), "unknown local 0");
}

TEST(FunctionRules, Globals) {
  auto globals = [](ModuleBuilder& b) {
    b.import_global(I64, true);                            // 0: mutable i64
    b.global(F32, false, cexpr(Body().f32()));             // 1: immutable f32
  };
  EXPECT_EQ(check_func({}, {}, Body().i64(1).op(O::GlobalSet, 0), globals), "valid");
  EXPECT_EQ(check_func({}, {F32}, Body().op(O::GlobalGet, 1), globals), "valid");
  EXPECT_EQ(check_func({}, {}, Body().f32().op(O::GlobalSet, 1), globals), "global is immutable");
  EXPECT_EQ(check_func({}, {}, Body().i32(1).op(O::GlobalSet, 0), globals), "type mismatch");
  EXPECT_EQ(check_func({}, {}, Body().op(O::GlobalGet, 2).op(O::Drop), globals), "unknown global 2");
}

TEST(FunctionRules, Calls) {
  ModuleBuilder b;
  uint32_t sig = b.type({I32, I64}, {F32, F64});
  uint32_t imported = b.import_func(sig);
  b.func({}, {F32, F64}, Body().i32(1).i64(2).op(O::Call, imported));
  EXPECT_EQ(check(b.m), "valid");
  b.func({}, {F32, F64}, Body().i64(2).i32(1).op(O::Call, imported));
  EXPECT_EQ(check(b.m), "type mismatch");

  EXPECT_EQ(check_func({}, {}, Body().op(O::Call, 1)), "unknown function 1");
  EXPECT_EQ(check_func({}, {}, Body().op(O::Call, 0)), "valid") << "recursion";
}

TEST(FunctionRules, CallIndirect) {
  auto tables = [](ModuleBuilder& b) {
    b.type({I32}, {I64});            // type 0
    b.table(FUNCREF, 1);             // table 0
    b.table(EXTERNREF, 1);           // table 1
  };
  EXPECT_EQ(check_func({}, {I64}, Body().i32(5).i32(0).op(O::CallIndirect, 0, 0), tables), "valid");
  EXPECT_EQ(check_func({}, {I64}, Body().i64(5).i32(0).op(O::CallIndirect, 0, 0), tables),
            "type mismatch");
  EXPECT_EQ(check_func({}, {I64}, Body().i32(5).i32(0).op(O::CallIndirect, 0, 1), tables),
            "type mismatch")
      << "call_indirect needs a funcref table";
  EXPECT_EQ(check_func({}, {}, Body().i32(0).op(O::CallIndirect, 0, 2), tables), "unknown table 2");
  EXPECT_EQ(check_func({}, {}, Body().i32(0).op(O::CallIndirect, 9, 0), tables), "unknown type");
}

// Tail calls: the callee's results become this function's, so they must be the same.
TEST(FunctionRules, TailCalls) {
  EXPECT_EQ(check_func({I32}, {I32}, Body().op(O::LocalGet, 0).op(O::ReturnCall, 0)), "valid");
  EXPECT_EQ(check_func({I32}, {I32}, Body().op(O::LocalGet, 0).op(O::ReturnCall, 0).op(O::Drop).i64(1).op(O::Drop)),
            "valid")
      << "the stack is polymorphic after a tail call";
  EXPECT_EQ(check_func({}, {}, Body().op(O::ReturnCall, 1)), "unknown function 1");

  ModuleBuilder b;
  uint32_t callee = b.func({}, {I64}, Body().i64(1));
  b.func({}, {I32}, Body().op(O::ReturnCall, callee));
  EXPECT_EQ(check(b.m),
            "type mismatch: a tail call's callee returns [i64] but the calling function returns "
            "[i32] (they must be the same; use call then return to convert)");
  ModuleBuilder params;
  uint32_t takes_i64 = params.func({I64}, {}, Body());
  params.func({}, {}, Body().i32(1).op(O::ReturnCall, takes_i64));
  EXPECT_EQ(check(params.m), "type mismatch");

  auto tables = [](ModuleBuilder& t) {
    t.type({I32}, {I64});            // type 0
    t.table(FUNCREF, 1);             // table 0
    t.table(EXTERNREF, 1);           // table 1
  };
  EXPECT_EQ(check_func({}, {I64}, Body().i32(5).i32(0).op(O::ReturnCallIndirect, 0, 0), tables), "valid");
  EXPECT_EQ(check_func({}, {I32}, Body().i32(5).i32(0).op(O::ReturnCallIndirect, 0, 0), tables)
                .rfind("type mismatch: a tail call's callee returns [i64]", 0),
            0u);
  EXPECT_EQ(check_func({}, {I64}, Body().i32(5).i32(0).op(O::ReturnCallIndirect, 0, 1), tables),
            "type mismatch")
      << "return_call_indirect needs a funcref table";
  EXPECT_EQ(check_func({}, {I64}, Body().i32(0).op(O::ReturnCallIndirect, 9, 0), tables), "unknown type");
}

TEST(FunctionRules, BlocksWithValueAndTypeIndexSignatures) {
  EXPECT_EQ(check_func({}, {I32}, Body().block(O::Block, bt_val(I32)).i32(1).end()), "valid");
  EXPECT_EQ(check_func({}, {I32}, Body().block(O::Block, bt_val(I32)).i64(1).end()),
            "type mismatch");
  // Multi-value block with params: [i32 i32] -> [i64 i32].
  auto sig = [](ModuleBuilder& b) { b.type({I32, I32}, {I64, I32}); };
  EXPECT_EQ(check_func({}, {I64, I32},
                       Body().i32(1).i32(2).block(O::Block, bt_type(0)).op(O::I32Add).i64(0)
                           .op(O::Drop).i64(0).i32(3).op(O::I32Add).end(),
                       sig),
            "type mismatch")
      << "i32.add sees i64 and i32";
  EXPECT_EQ(check_func({}, {I64, I32},
                       Body().i32(1).i32(2).block(O::Block, bt_type(0)).op(O::I32Add)
                           .op(O::I64ExtendI32U).i32(7).end(),
                       sig),
            "valid");
  EXPECT_EQ(check_func({}, {I64, I32},
                       Body().i32(1).block(O::Block, bt_type(0)).op(O::I32Add)
                           .op(O::I64ExtendI32U).i32(7).end(),
                       sig),
            "type mismatch")
      << "block params missing from the outer stack";
  EXPECT_EQ(check_func({}, {}, Body().block(O::Block, bt_type(3)).end()), "unknown type");
  // A block cannot see operands outside it.
  EXPECT_EQ(check_func({}, {I32}, Body().i32(1).block(O::Block, bt_val(I32)).end()),
            "type mismatch");
}

TEST(FunctionRules, LoopLabelsTakeParams) {
  auto sig = [](ModuleBuilder& b) { b.type({I32}, {F32}); };
  // br to a loop passes the loop's params ([i32]), not its results.
  EXPECT_EQ(check_func({}, {F32},
                       Body().i32(0).block(O::Loop, bt_type(0)).op(O::Br, 0).end(), sig),
            "valid");
  EXPECT_EQ(check_func({}, {F32},
                       Body().i32(0).block(O::Loop, bt_type(0)).op(O::Drop).f32().op(O::Br, 0)
                           .end(),
                       sig),
            "type mismatch");
  EXPECT_EQ(check_func({}, {F32},
                       Body().i32(0).block(O::Loop, bt_type(0)).op(O::Drop).f32().end(), sig),
            "valid");
}

TEST(FunctionRules, IfElse) {
  EXPECT_EQ(check_func({}, {I32}, Body().i32(1).block(O::If, bt_val(I32)).i32(1).op(O::Else)
                                      .i32(2).end()),
            "valid");
  EXPECT_EQ(check_func({}, {I32}, Body().i64(1).block(O::If, bt_val(I32)).i32(1).op(O::Else)
                                      .i32(2).end()),
            "type mismatch")
      << "condition must be i32";
  EXPECT_EQ(check_func({}, {I32}, Body().i32(1).block(O::If, bt_val(I32)).i32(1).op(O::Else)
                                      .i64(2).end()),
            "type mismatch")
      << "else branch result";
  EXPECT_EQ(check_func({}, {I32}, Body().i32(1).block(O::If, bt_val(I32)).i32(1).end()),
            "type mismatch")
      << "if without else needs params == results";
  // [i32] -> [i32] without else is fine: the implicit else passes the param through.
  auto sig = [](ModuleBuilder& b) { b.type({I32}, {I32}); };
  EXPECT_EQ(check_func({}, {I32}, Body().i32(5).i32(1).block(O::If, bt_type(0)).i32(1)
                                      .op(O::I32Add).end(),
                       sig),
            "valid");
  // Else branches start from the params again.
  EXPECT_EQ(check_func({}, {I32}, Body().i32(5).i32(1).block(O::If, bt_type(0)).op(O::Else)
                                      .i32(2).op(O::I32Add).end(),
                       sig),
            "valid");
  EXPECT_EQ(check_func({}, {}, Body().i32(1).block(O::If, bt_empty()).op(O::Else).op(O::Else).end()),
            "else without matching if");
}

TEST(FunctionRules, Branches) {
  EXPECT_EQ(check_func({}, {}, Body().op(O::Br, 1)), "unknown label");
  EXPECT_EQ(check_func({}, {}, Body().op(O::Br, 0)), "valid") << "depth 0 is the function";
  EXPECT_EQ(check_func({}, {I32}, Body().i32(1).op(O::Br, 0)), "valid");
  EXPECT_EQ(check_func({}, {I32}, Body().i64(1).op(O::Br, 0)), "type mismatch");
  EXPECT_EQ(check_func({}, {I32}, Body().block(O::Block, bt_val(I32)).i32(1).i32(0).op(O::BrIf, 0)
                                      .end()),
            "valid");
  EXPECT_EQ(check_func({}, {I32}, Body().block(O::Block, bt_val(I32)).i32(1).i64(0)
                                      .op(O::BrIf, 0).end()),
            "type mismatch")
      << "br_if condition";
  EXPECT_EQ(check_func({}, {}, Body().i32(0).op(O::BrIf, 2)), "unknown label");
  EXPECT_EQ(check_func({}, {I32}, Body().i64(1).op(O::Return)), "type mismatch");
  EXPECT_EQ(check_func({}, {I32}, Body().i32(1).op(O::Return).i64(0)), "type mismatch")
      << "values pushed after return still count";
  EXPECT_EQ(check_func({}, {I32}, Body().i32(1).op(O::Return).op(O::Drop)), "valid");
}

TEST(FunctionRules, BrTable) {
  // (block (result i32) (block (result i32) (br_table 0 1 (i32.const 7) (i32.const 0))))
  EXPECT_EQ(check_func({}, {I32}, Body().block(O::Block, bt_val(I32)).block(O::Block, bt_val(I32))
                                      .i32(7).i32(0).br_table({0}, 1).end().end()),
            "valid");
  EXPECT_EQ(check_func({}, {}, Body().block(O::Block, bt_val(I32)).block(O::Block, bt_empty())
                                   .i32(7).i32(0).br_table({0}, 1).end().end().op(O::Drop)),
            "type mismatch")
      << "arity differs across targets";
  EXPECT_EQ(check_func({}, {}, Body().block(O::Block, bt_val(F32)).block(O::Block, bt_val(I32))
                                   .i32(7).i32(0).br_table({0}, 1).end().op(O::Drop).end()
                                   .op(O::Drop)),
            "type mismatch")
      << "same arity, different types";
  EXPECT_EQ(check_func({}, {}, Body().block(O::Block, bt_empty()).i32(0).br_table({0, 3}, 0).end()),
            "unknown label");
  EXPECT_EQ(check_func({}, {}, Body().block(O::Block, bt_empty()).i64(0).br_table({}, 0).end()),
            "type mismatch")
      << "index must be i32";
  // In unreachable code the operands are unknown, so differently typed targets agree.
  EXPECT_EQ(check_func({}, {}, Body().block(O::Block, bt_val(F32)).block(O::Block, bt_val(I32))
                                   .op(O::Unreachable).br_table({0}, 1).end().op(O::Drop).f32()
                                   .end().op(O::Drop)),
            "valid");
  EXPECT_EQ(check_func({}, {}, Body().block(O::Block, bt_val(F32)).block(O::Block, bt_val(I32))
                                   .op(O::Unreachable).i64(1).br_table({0}, 1).end().op(O::Drop)
                                   .f32().end().op(O::Drop)),
            "type mismatch")
      << "the index operand is still checked";
  // The stack is polymorphic after br_table.
  EXPECT_EQ(check_func({}, {I32}, Body().i32(1).i32(0).br_table({}, 0).op(O::F64Neg).op(O::Drop)),
            "valid");
}

TEST(FunctionRules, Select) {
  EXPECT_EQ(check_func({}, {I64}, Body().i64(1).i64(2).i32(0).op(O::Select)), "valid");
  EXPECT_EQ(check_func({}, {I64}, Body().i64(1).i32(2).i32(0).op(O::Select)), "type mismatch");
  EXPECT_EQ(check_func({}, {FUNCREF}, Body().ref_null(FUNCREF).ref_null(FUNCREF).i32(0)
                                          .op(O::Select)),
            "type mismatch")
      << "untyped select only on number types";
  EXPECT_EQ(check_func({}, {FUNCREF}, Body().ref_null(FUNCREF).ref_null(FUNCREF).i32(0)
                                          .op(O::SelectT, 1, static_cast<uint32_t>(FUNCREF))),
            "valid");
  EXPECT_EQ(check_func({}, {I32}, Body().i32(1).i32(1).i32(0).op(O::SelectT, 0)),
            "invalid result arity");
  EXPECT_EQ(check_func({}, {I32}, Body().i32(1).i32(1).i32(0).op(O::SelectT, 2,
                                                                 static_cast<uint32_t>(I32))),
            "invalid result arity");
  EXPECT_EQ(check_func({}, {I32}, Body().i32(1).i64(1).i32(0).op(O::SelectT, 1,
                                                                 static_cast<uint32_t>(I32))),
            "type mismatch");
  EXPECT_EQ(check_func({}, {}, Body().op(O::Unreachable).op(O::Select).op(O::Drop)), "valid");
  EXPECT_EQ(check_func({}, {F64}, Body().op(O::Unreachable).f64().i32(0).op(O::Select)), "valid");
  EXPECT_EQ(check_func({}, {}, Body().op(O::Unreachable).ref_null(EXTERNREF).i32(0).op(O::Select)
                                   .op(O::Drop)),
            "type mismatch");
}

TEST(FunctionRules, MemoryInstructionsNeedMemoryZero) {
  EXPECT_EQ(check_func({}, {I32}, Body().i32(0).mem(O::I32Load, 2)), "unknown memory 0");
  EXPECT_EQ(check_func({}, {I32}, Body().op(O::MemorySize)), "unknown memory 0");
  EXPECT_EQ(check_func({}, {I32}, Body().i32(1).op(O::MemoryGrow)), "unknown memory 0");
  EXPECT_EQ(check_func({}, {}, Body().i32(0).i32(0).i32(0).op(O::MemoryFill)), "unknown memory 0");
  EXPECT_EQ(check_func({}, {}, Body().i32(0).i32(0).i32(0).op(O::MemoryCopy)), "unknown memory 0");
  EXPECT_EQ(check_func({}, {I32}, Body().op(O::MemorySize), kOneMemory), "valid");
  EXPECT_EQ(check_func({}, {I32}, Body().i32(1).op(O::MemoryGrow), kOneMemory), "valid");
  EXPECT_EQ(check_func({}, {}, Body().i32(0).i32(0).i32(0).op(O::MemoryCopy), kOneMemory), "valid");
  EXPECT_EQ(check_func({}, {}, Body().i32(0).i32(0).i64(0).op(O::MemoryFill), kOneMemory),
            "type mismatch");
  EXPECT_EQ(check_func({}, {I32}, Body().i32(0).mem(O::I32Load, 0, 1), kOneMemory),
            "unknown memory 1");
  EXPECT_EQ(check_func({}, {I32}, Body().i32(0).mem(O::I32Load, 2),
                       [](ModuleBuilder& b) { b.import_memory(1); }),
            "valid")
      << "an imported memory is memory 0";
}

TEST(FunctionRules, LoadsAndStores) {
  EXPECT_EQ(check_func({}, {I64}, Body().i32(0).mem(O::I64Load, 3), kOneMemory), "valid");
  EXPECT_EQ(check_func({}, {I64}, Body().i32(0).mem(O::I64Load, 4), kOneMemory),
            "alignment must not be larger than natural");
  EXPECT_EQ(check_func({}, {I32}, Body().i32(0).mem(O::I32Load8U, 0), kOneMemory), "valid");
  EXPECT_EQ(check_func({}, {I32}, Body().i32(0).mem(O::I32Load8U, 1), kOneMemory),
            "alignment must not be larger than natural");
  EXPECT_EQ(check_func({}, {I32}, Body().i32(0).mem(O::I32Load16S, 40), kOneMemory),
            "alignment must not be larger than natural")
      << "huge exponents must not overflow the shift";
  EXPECT_EQ(check_func({}, {}, Body().i32(0).i64(0).mem(O::I64Store32, 2), kOneMemory), "valid");
  EXPECT_EQ(check_func({}, {}, Body().i32(0).i64(0).mem(O::I64Store32, 3), kOneMemory),
            "alignment must not be larger than natural");
  EXPECT_EQ(check_func({}, {}, Body().i64(0).i64(0).mem(O::I64Store, 0), kOneMemory),
            "type mismatch")
      << "address must be i32";
  EXPECT_EQ(check_func({}, {F32}, Body().i32(0).mem(O::F64Load, 0), kOneMemory), "type mismatch");
}

// Threads: atomics need exactly natural alignment and a memory (shared or not).
TEST(FunctionRules, AtomicInstructions) {
  EXPECT_EQ(check_func({}, {I32}, Body().i32(0).i32(1).mem(O::I32AtomicRmwAdd, 2), kOneMemory),
            "valid");
  EXPECT_EQ(check_func({}, {I32}, Body().i32(0).i32(1).mem(O::I32AtomicRmwAdd, 1), kOneMemory),
            "atomic alignment must be natural");
  EXPECT_EQ(check_func({}, {I32}, Body().i32(0).i32(1).mem(O::I32AtomicRmwAdd, 3), kOneMemory),
            "alignment must not be larger than natural");
  EXPECT_EQ(check_func({}, {I64}, Body().i32(0).mem(O::I64AtomicLoad8U, 0), kOneMemory), "valid");
  EXPECT_EQ(check_func({}, {I32}, Body().i32(0).i32(1).mem(O::I32AtomicRmwAdd, 2)),
            "unknown memory 0");
  EXPECT_EQ(check_func({}, {I64},
                       Body().i32(0).i64(1).i64(2).mem(O::I64AtomicRmw32CmpxchgU, 2), kOneMemory),
            "valid");
  EXPECT_EQ(check_func({}, {I64},
                       Body().i32(0).i32(1).i64(2).mem(O::I64AtomicRmw32CmpxchgU, 2), kOneMemory),
            "type mismatch");
  EXPECT_EQ(check_func({}, {I32},
                       Body().i32(0).i32(0).i64(-1).mem(O::MemoryAtomicWait32, 2), kOneMemory),
            "valid");
  EXPECT_EQ(check_func({}, {I32},
                       Body().i32(0).i64(0).i64(-1).mem(O::MemoryAtomicWait64, 3), kOneMemory),
            "valid");
  EXPECT_EQ(check_func({}, {I32},
                       Body().i32(0).i64(0).i64(-1).mem(O::MemoryAtomicWait64, 2), kOneMemory),
            "atomic alignment must be natural");
  EXPECT_EQ(check_func({}, {I32}, Body().i32(0).i32(1).mem(O::MemoryAtomicNotify, 2), kOneMemory),
            "valid");
  EXPECT_EQ(check_func({}, {}, Body().op(O::AtomicFence)), "valid") << "fence needs no memory";
}

TEST(FunctionRules, DataSegmentInstructions) {
  auto mem_and_data = [](ModuleBuilder& b) {
    b.memory(1);
    b.data(passive_data());
  };
  EXPECT_EQ(check_func({}, {}, Body().i32(0).i32(0).i32(0).op(O::MemoryInit, 0), mem_and_data),
            "valid");
  EXPECT_EQ(check_func({}, {}, Body().i32(0).i32(0).i32(0).op(O::MemoryInit, 1), mem_and_data),
            "unknown data segment 1");
  EXPECT_EQ(check_func({}, {}, Body().i32(0).i32(0).i32(0).op(O::MemoryInit, 1)),
            "unknown memory 0")
      << "memory 0 is checked before the segment";
  EXPECT_EQ(check_func({}, {}, Body().op(O::DataDrop, 0), mem_and_data), "valid");
  EXPECT_EQ(check_func({}, {}, Body().op(O::DataDrop, 0)), "unknown data segment 0")
      << "data.drop needs no memory, only the segment";
  EXPECT_EQ(check_func({}, {}, Body().i32(0).i64(0).i32(0).op(O::MemoryInit, 0), mem_and_data),
            "type mismatch");
}

TEST(FunctionRules, TableInstructions) {
  auto tables = [](ModuleBuilder& b) {
    b.table(FUNCREF, 1);    // 0
    b.table(EXTERNREF, 1);  // 1
    b.elem(passive_elem(FUNCREF));    // 0
    b.elem(passive_elem(EXTERNREF));  // 1
  };
  EXPECT_EQ(check_func({}, {EXTERNREF}, Body().i32(0).op(O::TableGet, 1), tables), "valid");
  EXPECT_EQ(check_func({}, {FUNCREF}, Body().i32(0).op(O::TableGet, 1), tables), "type mismatch");
  EXPECT_EQ(check_func({}, {}, Body().i32(0).ref_null(FUNCREF).op(O::TableSet, 0), tables), "valid");
  EXPECT_EQ(check_func({}, {}, Body().i32(0).ref_null(EXTERNREF).op(O::TableSet, 0), tables),
            "type mismatch");
  EXPECT_EQ(check_func({}, {I32}, Body().op(O::TableSize, 1), tables), "valid");
  EXPECT_EQ(check_func({}, {I32}, Body().op(O::TableSize, 2), tables), "unknown table 2");
  EXPECT_EQ(check_func({}, {I32}, Body().ref_null(EXTERNREF).i32(1).op(O::TableGrow, 1), tables),
            "valid");
  EXPECT_EQ(check_func({}, {I32}, Body().i32(1).ref_null(EXTERNREF).op(O::TableGrow, 1), tables),
            "type mismatch");
  EXPECT_EQ(check_func({}, {}, Body().i32(0).ref_null(FUNCREF).i32(1).op(O::TableFill, 0), tables),
            "valid");
  EXPECT_EQ(check_func({}, {}, Body().i32(0).ref_null(FUNCREF).i32(1).op(O::TableFill, 1), tables),
            "type mismatch");
  EXPECT_EQ(check_func({}, {}, Body().i32(0).op(O::TableGet, 0).op(O::Drop)), "unknown table 0");
  // table.init: Instr::a = elem segment, Instr::b = table; element types must match.
  EXPECT_EQ(check_func({}, {}, Body().i32(0).i32(0).i32(0).op(O::TableInit, 1, 1), tables), "valid");
  EXPECT_EQ(check_func({}, {}, Body().i32(0).i32(0).i32(0).op(O::TableInit, 1, 0), tables),
            "type mismatch");
  EXPECT_EQ(check_func({}, {}, Body().i32(0).i32(0).i32(0).op(O::TableInit, 2, 0), tables),
            "unknown elem segment 2");
  EXPECT_EQ(check_func({}, {}, Body().i32(0).i32(0).i32(0).op(O::TableInit, 0, 3), tables),
            "unknown table 3");
  // table.copy: Instr::a = destination, Instr::b = source.
  EXPECT_EQ(check_func({}, {}, Body().i32(0).i32(0).i32(0).op(O::TableCopy, 1, 1), tables), "valid");
  EXPECT_EQ(check_func({}, {}, Body().i32(0).i32(0).i32(0).op(O::TableCopy, 0, 1), tables),
            "type mismatch");
  EXPECT_EQ(check_func({}, {}, Body().op(O::ElemDrop, 1), tables), "valid");
  EXPECT_EQ(check_func({}, {}, Body().op(O::ElemDrop, 2), tables), "unknown elem segment 2");
}

TEST(FunctionRules, References) {
  EXPECT_EQ(check_func({}, {I32}, Body().ref_null(EXTERNREF).op(O::RefIsNull)), "valid");
  EXPECT_EQ(check_func({}, {I32}, Body().i32(0).op(O::RefIsNull)), "type mismatch");
  EXPECT_EQ(check_func({}, {I32}, Body().op(O::Unreachable).op(O::RefIsNull)), "valid");
  EXPECT_EQ(check_func({}, {FUNCREF}, Body().ref_null(EXTERNREF)), "type mismatch");
}

TEST(FunctionRules, RefFuncNeedsADeclaration) {
  ModuleBuilder b;
  uint32_t f = b.func({}, {FUNCREF}, Body().op(O::RefFunc, 0));
  EXPECT_EQ(check(b.m), "undeclared function reference");

  ModuleBuilder by_export = b;
  by_export.exp("f", ExternKind::Func, f);
  EXPECT_EQ(check(by_export.m), "valid");

  ModuleBuilder by_declarative_elem = b;
  by_declarative_elem.elem(declarative_elem(FUNCREF, {cexpr(Body().op(O::RefFunc, f))}));
  EXPECT_EQ(check(by_declarative_elem.m), "valid");

  ModuleBuilder by_global = b;
  by_global.global(FUNCREF, false, cexpr(Body().op(O::RefFunc, f)));
  EXPECT_EQ(check(by_global.m), "valid");

  ModuleBuilder other_exported = b;
  other_exported.func({}, {}, Body());
  other_exported.exp("g", ExternKind::Func, 1);
  EXPECT_EQ(check(other_exported.m), "undeclared function reference");

  EXPECT_EQ(check_func({}, {FUNCREF}, Body().op(O::RefFunc, 4)), "unknown function 4");
}

TEST(FunctionRules, ErrorOffsetIsTheInstruction) {
  ModuleBuilder b;
  b.func({}, {}, Body());
  b.func({}, {}, Body().op(O::Nop).op(O::Nop).i64(0).op(O::I32Eqz).op(O::Drop));
  EXPECT_EQ(error_offset(b.m), 2 * ModuleBuilder::kBodyBase + 3);
}

TEST(FunctionRules, DeepNestingAndLongBodies) {
  // 100k nested blocks and a 1M-instruction body: no recursion, linear time.
  Body deep;
  for (int i = 0; i < 100000; ++i) deep.block(O::Block, bt_val(I32));
  deep.i32(1);
  for (int i = 0; i < 100000; ++i) deep.end();
  EXPECT_EQ(check_func({}, {I32}, deep), "valid");

  Body longb;
  longb.i32(0);
  for (int i = 0; i < 500000; ++i) longb.i32(1).op(O::I32Add);
  EXPECT_EQ(check_func({}, {I32}, longb), "valid");
}

}  // namespace
}  // namespace aperture::test
