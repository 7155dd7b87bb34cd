// Module-level rules: limits, index spaces, constant expressions, segments, start,
// exports. Each rule with a valid and an invalid form, built directly in the IR.
#include <gtest/gtest.h>

#include "validate/builder.h"

namespace aperture::test {
namespace {

using O = Opcode;

TEST(ModuleRules, EmptyModuleIsValid) { EXPECT_EQ(check(Module{}), "valid"); }

TEST(ModuleRules, MemoryLimits) {
  auto mem = [](uint64_t min, std::optional<uint64_t> max) {
    ModuleBuilder b;
    b.memory(min, max);
    return check(b.m);
  };
  EXPECT_EQ(mem(0, {}), "valid");
  EXPECT_EQ(mem(65536, 65536), "valid");
  EXPECT_EQ(mem(65537, {}), "memory size must be at most 65536 pages (4GiB)");
  EXPECT_EQ(mem(0, 65537), "memory size must be at most 65536 pages (4GiB)");
  EXPECT_EQ(mem(0, 0xFFFFFFFFull), "memory size must be at most 65536 pages (4GiB)");
  EXPECT_EQ(mem(2, 1), "size minimum must not be greater than maximum");

  ModuleBuilder imported;
  imported.import_memory(1, 65537);
  EXPECT_EQ(check(imported.m), "memory size must be at most 65536 pages (4GiB)");
}

TEST(ModuleRules, SharedMemoryNeedsAMaximum) {
  ModuleBuilder ok;
  ok.m.memories.push_back({{1, 2, true}});
  EXPECT_EQ(check(ok.m), "valid");
  ModuleBuilder no_max;
  no_max.m.memories.push_back({{1, std::nullopt, true}});
  EXPECT_EQ(check(no_max.m), "shared memory must have maximum");
  ModuleBuilder imported;
  imported.import_memory(1);
  imported.m.imports[0].memory.limits.shared = true;
  EXPECT_EQ(check(imported.m), "shared memory must have maximum");
}

TEST(ModuleRules, TableLimits) {
  auto table = [](uint64_t min, std::optional<uint64_t> max) {
    ModuleBuilder b;
    b.table(FUNCREF, min, max);
    return check(b.m);
  };
  EXPECT_EQ(table(0, 0xFFFFFFFFull), "valid");
  EXPECT_EQ(table(0xFFFFFFFFull, {}), "valid");
  EXPECT_EQ(table(0, 0x100000000ull), "table size must be at most 2^32-1");
  EXPECT_EQ(table(0x100000000ull, {}), "table size must be at most 2^32-1");
  EXPECT_EQ(table(10, 9), "size minimum must not be greater than maximum");

  ModuleBuilder imported;
  imported.import_table(EXTERNREF, 3, 2);
  EXPECT_EQ(check(imported.m), "size minimum must not be greater than maximum");
}

TEST(ModuleRules, AtMostOneMemoryWithoutMultipleMemories) {
  Features v2;
  v2.multi_memory = false;
  ModuleBuilder two;
  two.memory(1);
  two.memory(1);
  EXPECT_EQ(check(two.m, v2), "multiple memories");
  EXPECT_EQ(check(two.m), "valid") << "multiple memories are on by default";

  ModuleBuilder imported_and_defined;
  imported_and_defined.import_memory(1);
  imported_and_defined.memory(1);
  EXPECT_EQ(check(imported_and_defined.m, v2), "multiple memories");
  EXPECT_EQ(check(imported_and_defined.m), "valid");

  ModuleBuilder tables;  // reference types allow several tables
  tables.table(FUNCREF, 1);
  tables.import_table(EXTERNREF, 1);
  tables.table(EXTERNREF, 1);
  EXPECT_EQ(check(tables.m), "valid");
}

TEST(ModuleRules, FunctionTypeIndices) {
  ModuleBuilder imported;
  imported.import_func(0);
  EXPECT_EQ(check(imported.m), "unknown type");

  ModuleBuilder defined;
  defined.func(3, Body());
  EXPECT_EQ(check(defined.m), "unknown type");
  EXPECT_EQ(error_offset(defined.m), ModuleBuilder::kBodyBase - 1) << "the body's offset";

  ModuleBuilder mismatched;  // hand-built module whose code and function counts differ
  mismatched.m.funcs.push_back(mismatched.type({}, {}));
  EXPECT_EQ(check(mismatched.m), "function and code section have inconsistent lengths");
}

TEST(ModuleRules, GlobalInitializers) {
  Features wasm2;  // the 2.0 rules: no extended constant expressions
  wasm2.extended_const = false;
  auto global = [](ValType t, Body init, const Features& features = {}) {
    ModuleBuilder b;
    b.import_global(I32, false);  // 0: immutable import
    b.import_global(I32, true);   // 1: mutable import
    b.global(t, false, cexpr(init));
    return check(b.m, features);
  };
  EXPECT_EQ(global(I32, Body().i32(1)), "valid");
  EXPECT_EQ(global(I64, Body().i64(1)), "valid");
  EXPECT_EQ(global(F32, Body().f32()), "valid");
  EXPECT_EQ(global(F64, Body().f64()), "valid");
  EXPECT_EQ(global(I32, Body().i64(1)), "type mismatch");
  EXPECT_EQ(global(I32, Body()), "type mismatch") << "empty initializer";
  EXPECT_EQ(global(I32, Body().i32(1).i32(2)), "type mismatch") << "two values";
  EXPECT_EQ(global(I32, Body().i32(1).i32(2).op(O::I32Add), wasm2), "constant expression required");
  EXPECT_EQ(global(I32, Body().i32(1).i32(2).i32(3).op(O::I32Add), wasm2), "constant expression required");
  EXPECT_EQ(global(I32, Body().op(O::Nop)), "constant expression required");
  EXPECT_EQ(global(I32, Body().op(O::GlobalGet, 0)), "valid");
  EXPECT_EQ(global(I64, Body().op(O::GlobalGet, 0)), "type mismatch");
  EXPECT_EQ(global(I32, Body().op(O::GlobalGet, 1)), "constant expression required")
      << "mutable globals are not constant";
  EXPECT_EQ(global(I32, Body().op(O::GlobalGet, 2)), "unknown global 2") << "not itself";
  EXPECT_EQ(global(I32, Body().op(O::GlobalGet, 2), wasm2), "unknown global 2");
  EXPECT_EQ(global(FUNCREF, Body().ref_null(FUNCREF)), "valid");
  EXPECT_EQ(global(EXTERNREF, Body().ref_null(FUNCREF)), "type mismatch");
  EXPECT_EQ(global(FUNCREF, Body().op(O::RefFunc, 0)), "unknown function 0");

  ModuleBuilder ref_func;
  uint32_t f = ref_func.func({}, {}, Body());
  ref_func.global(FUNCREF, false, cexpr(Body().op(O::RefFunc, f)));
  EXPECT_EQ(check(ref_func.m), "valid");
}

// Extended constant expressions (WebAssembly 3.0): i32/i64 add, sub and mul, and
// global.get of any earlier immutable global.
TEST(ModuleRules, ExtendedConstExpressions) {
  Features wasm2;
  wasm2.extended_const = false;
  auto global = [](ValType t, Body init, const Features& features = {}) {
    ModuleBuilder b;
    b.import_global(I32, false);                  // 0: immutable import
    b.global(I64, false, cexpr(Body().i64(7)));   // 1: immutable, defined
    b.global(I32, true, cexpr(Body().i32(7)));    // 2: mutable, defined
    b.global(t, false, cexpr(init));              // 3: the one checked
    return check(b.m, features);
  };
  EXPECT_EQ(global(I32, Body().i32(1).i32(2).op(O::I32Add)), "valid");
  EXPECT_EQ(global(I32, Body().op(O::GlobalGet, 0).i32(2).op(O::I32Mul).i32(1).op(O::I32Sub)), "valid");
  EXPECT_EQ(global(I64, Body().op(O::GlobalGet, 1).i64(2).op(O::I64Mul)), "valid")
      << "an earlier defined immutable global";
  EXPECT_EQ(global(I64, Body().op(O::GlobalGet, 1), wasm2), "unknown global 1") << "2.0 rules";
  EXPECT_EQ(global(I32, Body().op(O::GlobalGet, 2)), "constant expression required")
      << "mutable globals are not constant";
  EXPECT_EQ(global(I32, Body().op(O::GlobalGet, 3)), "unknown global 3") << "not itself";
  EXPECT_EQ(global(I32, Body().i32(1).i64(2).op(O::I32Add)), "type mismatch");
  EXPECT_EQ(global(I64, Body().i32(1).i32(2).op(O::I32Add)), "type mismatch");
  EXPECT_EQ(global(I32, Body().i32(1).op(O::I32Add)), "type mismatch") << "one operand";
  EXPECT_EQ(global(I32, Body().i32(1).i32(2)), "type mismatch") << "two values left";
  EXPECT_EQ(global(I32, Body().i32(1).i32(2).op(O::I32DivS)), "constant expression required");
  EXPECT_EQ(global(I64, Body().i64(1).i64(2).op(O::I64And)), "constant expression required");

  // Segment offsets see every global (none is being defined).
  ModuleBuilder data;
  data.memory(1);
  data.global(I32, false, cexpr(Body().i32(16)));
  data.data(active_data(0, cexpr(Body().op(O::GlobalGet, 0).i32(4).op(O::I32Add))));
  EXPECT_EQ(check(data.m), "valid");
  EXPECT_EQ(check(data.m, wasm2), "constant expression required");
}

TEST(ModuleRules, ConstantExpressionErrorOffsets) {
  ModuleBuilder b;
  b.global(I32, false, cexpr(Body().i64(0), 55));
  EXPECT_EQ(error_offset(b.m), 55u);
}

TEST(ModuleRules, ElementSegments) {
  ModuleBuilder base;
  uint32_t f = base.func({}, {}, Body());
  base.table(FUNCREF, 1);    // 0
  base.table(EXTERNREF, 1);  // 1

  auto with = [&](ElemSegment s) {
    ModuleBuilder b = base;
    b.elem(std::move(s));
    return check(b.m);
  };
  ConstExpr at0 = cexpr(Body().i32(0));
  EXPECT_EQ(with(active_elem(0, at0, FUNCREF, {cexpr(Body().op(O::RefFunc, f))})), "valid");
  EXPECT_EQ(with(active_elem(1, at0, EXTERNREF, {cexpr(Body().ref_null(EXTERNREF))})), "valid");
  EXPECT_EQ(with(active_elem(2, at0, FUNCREF)), "unknown table 2");
  EXPECT_EQ(with(active_elem(1, at0, FUNCREF)), "type mismatch") << "segment type vs table type";
  EXPECT_EQ(with(active_elem(0, cexpr(Body().i64(0)), FUNCREF)), "type mismatch");
  EXPECT_EQ(with(active_elem(0, cexpr(Body().i32(0).i32(1).op(O::I32Add)), FUNCREF)), "valid")
      << "extended constant expressions";
  EXPECT_EQ(with(active_elem(0, cexpr(Body().i32(0).i32(1).op(O::I32Shl)), FUNCREF)),
            "constant expression required");
  EXPECT_EQ(with(passive_elem(FUNCREF, {cexpr(Body().ref_null(EXTERNREF))})), "type mismatch")
      << "item type vs segment type";
  EXPECT_EQ(with(passive_elem(FUNCREF, {cexpr(Body().op(O::RefFunc, 9))})), "unknown function 9");
  EXPECT_EQ(with(passive_elem(FUNCREF, {cexpr(Body().op(O::Call, 0))})),
            "constant expression required");
  EXPECT_EQ(with(declarative_elem(EXTERNREF, {cexpr(Body().ref_null(EXTERNREF))})), "valid");
  EXPECT_EQ(with(passive_elem(FUNCREF, {cexpr(Body())})), "type mismatch") << "empty item";
}

TEST(ModuleRules, DataSegments) {
  ModuleBuilder no_memory;
  no_memory.data(active_data(0, cexpr(Body().i32(0))));
  EXPECT_EQ(check(no_memory.m), "unknown memory 0");

  ModuleBuilder passive;  // passive segments need no memory
  passive.data(passive_data());
  EXPECT_EQ(check(passive.m), "valid");

  ModuleBuilder ok;
  ok.memory(1);
  ok.data(active_data(0, cexpr(Body().i32(16))));
  EXPECT_EQ(check(ok.m), "valid");

  ModuleBuilder bad_offset;
  bad_offset.memory(1);
  bad_offset.data(active_data(0, cexpr(Body().i64(16))));
  EXPECT_EQ(check(bad_offset.m), "type mismatch");

  ModuleBuilder imported_offset;
  imported_offset.import_global(I32, false);
  imported_offset.memory(1);
  imported_offset.data(active_data(0, cexpr(Body().op(O::GlobalGet, 0))));
  EXPECT_EQ(check(imported_offset.m), "valid");

  ModuleBuilder second_memory;
  second_memory.memory(1);
  second_memory.data(active_data(1, cexpr(Body().i32(0))));
  EXPECT_EQ(check(second_memory.m), "unknown memory 1");
}

TEST(ModuleRules, StartFunction) {
  ModuleBuilder ok;
  ok.func({}, {}, Body());
  ok.m.start = 0;
  EXPECT_EQ(check(ok.m), "valid");

  ModuleBuilder imported;
  imported.import_func(imported.type({}, {}));
  imported.m.start = 0;
  EXPECT_EQ(check(imported.m), "valid");

  ModuleBuilder params;
  params.func({I32}, {}, Body());
  params.m.start = 0;
  EXPECT_EQ(check(params.m), "start function");

  ModuleBuilder results;
  results.func({}, {I32}, Body().i32(0));
  results.m.start = 0;
  EXPECT_EQ(check(results.m), "start function");

  ModuleBuilder unknown;
  unknown.m.start = 1;
  EXPECT_EQ(check(unknown.m), "unknown function 1");
}

TEST(ModuleRules, Exports) {
  ModuleBuilder b;
  b.func({}, {}, Body());
  b.table(FUNCREF, 0);
  b.memory(0);
  b.global(I32, false, cexpr(Body().i32(0)));
  b.exp("f", ExternKind::Func, 0);
  b.exp("t", ExternKind::Table, 0);
  b.exp("m", ExternKind::Memory, 0);
  b.exp("g", ExternKind::Global, 0);
  EXPECT_EQ(check(b.m), "valid");

  auto with = [&](const std::string& name, ExternKind kind, uint32_t index) {
    ModuleBuilder c = b;
    c.exp(name, kind, index);
    return check(c.m);
  };
  EXPECT_EQ(with("f", ExternKind::Global, 0), "duplicate export name");
  EXPECT_EQ(with("", ExternKind::Func, 0), "valid") << "empty names are names too";
  EXPECT_EQ(with("x", ExternKind::Func, 1), "unknown function 1");
  EXPECT_EQ(with("x", ExternKind::Table, 1), "unknown table 1");
  EXPECT_EQ(with("x", ExternKind::Memory, 1), "unknown memory 1");
  EXPECT_EQ(with("x", ExternKind::Global, 1), "unknown global 1");
  EXPECT_EQ(with("F", ExternKind::Func, 0), "valid") << "names are case-sensitive";
}

}  // namespace
}  // namespace aperture::test
