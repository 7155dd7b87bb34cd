#include "compile/codegen/module_env.h"

#include <llvm/IR/MDBuilder.h>

namespace aperture::native {
namespace {

enum class HelperArg { V, I32, I64, P };

struct HelperSignature {
  HelperArg result;
  std::vector<HelperArg> params;
};

std::vector<HelperSignature> helper_signatures() {
  using enum HelperArg;
  std::vector<HelperSignature> out;
#define APERTURE_HELPER_SIGNATURE(Name, Result, ...) out.push_back({Result, {__VA_ARGS__}});
  APERTURE_HELPERS(APERTURE_HELPER_SIGNATURE)
#undef APERTURE_HELPER_SIGNATURE
  return out;
}

}  // namespace

ModuleEnv::ModuleEnv(const Module& wasm_module, const RuntimeLayout& runtime_layout,
                     llvm::LLVMContext& ctx, llvm::Module& mod)
    : wasm(wasm_module), layout(runtime_layout), context_layout(wasm_module), context(ctx),
      module(mod) {
  void_type = llvm::Type::getVoidTy(ctx);
  i1 = llvm::Type::getInt1Ty(ctx);
  i8 = llvm::Type::getInt8Ty(ctx);
  i16 = llvm::Type::getInt16Ty(ctx);
  i32 = llvm::Type::getInt32Ty(ctx);
  i64 = llvm::Type::getInt64Ty(ctx);
  f32 = llvm::Type::getFloatTy(ctx);
  f64 = llvm::Type::getDoubleTy(ctx);
  ptr = llvm::PointerType::get(ctx, 0);
  v16i8 = llvm::FixedVectorType::get(i8, 16);
  v8i16 = llvm::FixedVectorType::get(i16, 8);
  v4i32 = llvm::FixedVectorType::get(i32, 4);
  v2i64 = llvm::FixedVectorType::get(i64, 2);
  v4f32 = llvm::FixedVectorType::get(f32, 4);
  v2f64 = llvm::FixedVectorType::get(f64, 2);
  v128 = v2i64;

  llvm::MDBuilder md(ctx);
  llvm::MDNode* root = md.createTBAARoot("aperture");
  auto tag = [&](const char* name) {
    llvm::MDNode* type = md.createTBAAScalarTypeNode(name, root);
    return md.createTBAAStructTagNode(type, type, 0);
  };
  tbaa_memory = tag("linear memory");
  tbaa_global = tag("global value");
  tbaa_runtime = tag("runtime object");
  tbaa_slots = tag("call slots");
  empty_node = llvm::MDNode::get(ctx, {});
  unlikely = md.createBranchWeights(1, 1u << 20);

  defined_.assign(wasm.funcs.size(), nullptr);
  for (const HelperSignature& sig : helper_signatures()) {
    auto type_of_arg = [&](HelperArg a) -> llvm::Type* {
      switch (a) {
        case HelperArg::V: return void_type;
        case HelperArg::I32: return i32;
        case HelperArg::I64: return i64;
        case HelperArg::P: return ptr;
      }
      return void_type;
    };
    std::vector<llvm::Type*> params{ptr};
    for (HelperArg a : sig.params) params.push_back(type_of_arg(a));
    helper_types_.push_back(llvm::FunctionType::get(type_of_arg(sig.result), params, false));
  }
}

llvm::Type* ModuleEnv::type_of(ValType t) const {
  switch (t) {
    case ValType::I32: return i32;
    case ValType::I64: return i64;
    case ValType::F32: return f32;
    case ValType::F64: return f64;
    case ValType::V128: return v128;
    default: return i64;  // references: RefBits
  }
}

llvm::Type* ModuleEnv::return_type(const FuncType& t) const {
  if (t.results.empty()) return void_type;
  if (t.results.size() == 1) return type_of(t.results[0]);
  std::vector<llvm::Type*> fields;
  for (ValType r : t.results) fields.push_back(type_of(r));
  return llvm::StructType::get(context, fields);
}

llvm::FunctionType* ModuleEnv::function_type(const FuncType& t) const {
  std::vector<llvm::Type*> params{ptr, i64};  // context, stack limit (compile/abi.h)
  for (ValType p : t.params) params.push_back(type_of(p));
  return llvm::FunctionType::get(return_type(t), params, false);
}

llvm::FunctionType* ModuleEnv::helper_type(HelperId id) const {
  return helper_types_[static_cast<size_t>(id)];
}

llvm::Function* ModuleEnv::defined_function(uint32_t defined_index) {
  llvm::Function*& f = defined_[defined_index];
  if (f != nullptr) return f;
  const FuncType& t = wasm.types[wasm.funcs[defined_index]];
  f = llvm::Function::Create(function_type(t), llvm::GlobalValue::ExternalLinkage,
                             kFunctionSymbolPrefix + std::to_string(defined_index), module);
  f->setDSOLocal(true);
  // tailcc: a `musttail` call (return_call) is guaranteed to reuse the caller's frame,
  // whatever the two prototypes (compile/abi.h; docs/architecture.md, "Tail calls").
  f->setCallingConv(llvm::CallingConv::Tail);
  set_attributes(f);
  return f;
}

void ModuleEnv::set_attributes(llvm::Function* f) const {
  // Instructions of the host CPU, scheduled for a generic one: the host's scheduling
  // model (e.g. sapphirerapids) turns unpredictable-looking selects into cmov chains on
  // the critical path, 1.7x slower on bench/programs/loops.c than clang's native code.
  f->addFnAttr("tune-cpu", "generic");
  f->addFnAttr("frame-pointer", "all");
  f->addFnAttr("disable-tail-calls", "true");
  f->addFnAttr(llvm::Attribute::NoInline);
  f->addFnAttr(llvm::Attribute::NoUnwind);
}

}  // namespace aperture::native
