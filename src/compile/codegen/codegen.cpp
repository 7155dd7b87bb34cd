// The code generator library's entry point: partitions a module's functions, translates
// and compiles each partition on its own thread (one LLVMContext per thread) to a
// relocatable object for the host CPU.
#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/SubtargetFeature.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "compile/codegen/budget.h"
#include "compile/codegen/function_translator.h"
#include "compile/codegen/module_env.h"
#include "compile/codegen_api.h"
#include "compile/codegen_id.h"

namespace aperture::native {
namespace {

// This machine's CPU with every feature it has, or a named target's baseline CPU plus the
// features it asks for (cross compilation, compile/compile_target.h).
std::unique_ptr<llvm::TargetMachine> target_machine(const CodegenTarget& wanted, int opt_level,
                                                    std::string* error) {
  std::string triple = wanted.host ? llvm::sys::getProcessTriple() : wanted.llvm_triple;
  std::string cpu = wanted.host ? std::string(llvm::sys::getHostCPUName()) : wanted.llvm_cpu;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, *error);
  if (target == nullptr) return nullptr;
  llvm::SubtargetFeatures features(wanted.host ? "" : wanted.llvm_features);
  if (wanted.host)
    for (const auto& [name, enabled] : llvm::sys::getHostCPUFeatures())
      features.AddFeature(name, enabled);
  llvm::TargetOptions options;
  llvm::CodeGenOptLevel level = opt_level <= 0   ? llvm::CodeGenOptLevel::None
                                : opt_level == 1 ? llvm::CodeGenOptLevel::Less
                                : opt_level == 2 ? llvm::CodeGenOptLevel::Default
                                                 : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features.getString(), options, llvm::Reloc::PIC_,
      llvm::CodeModel::Small, level));
  if (!tm) *error = "cannot create a target machine for " + triple;
  return tm;
}

void optimize(llvm::Module& module, llvm::TargetMachine& tm, int opt_level) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = opt_level <= 0   ? llvm::OptimizationLevel::O0
                                  : opt_level == 1 ? llvm::OptimizationLevel::O1
                                  : opt_level == 2 ? llvm::OptimizationLevel::O2
                                                   : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm = opt_level <= 0 ? pb.buildO0DefaultPipeline(level)
                                               : pb.buildPerModuleDefaultPipeline(level);
  mpm.run(module, mam);
}

// entry_<t>(code, context, slots, stack_limit): arguments from 64-bit slots, results back
// into them; a v128 takes two slots, low half first (slot_count() in aperture/types.h).
void build_entry_stub(ModuleEnv& env, uint32_t type_index) {
  const FuncType& type = env.wasm.types[type_index];
  llvm::FunctionType* stub_type =
      llvm::FunctionType::get(env.void_type, {env.ptr, env.ptr, env.ptr, env.i64}, false);
  llvm::Function* stub = llvm::Function::Create(stub_type, llvm::GlobalValue::ExternalLinkage,
                                                kEntrySymbolPrefix + std::to_string(type_index),
                                                env.module);
  env.set_attributes(stub);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(env.context, "", stub));
  llvm::Value* slots = stub->getArg(2);
  std::vector<llvm::Value*> args{stub->getArg(1), stub->getArg(3)};
  uint64_t at = 0;  // slot index
  for (ValType p : type.params) {
    llvm::Type* t = env.type_of(p);
    llvm::Value* address = b.CreateConstInBoundsGEP1_64(env.i64, slots, at);
    at += p == ValType::V128 ? 2 : 1;
    if (p == ValType::V128) {
      args.push_back(b.CreateAlignedLoad(t, address, llvm::MaybeAlign(8)));
      continue;
    }
    llvm::Value* slot = b.CreateLoad(env.i64, address);
    if (t == env.i32) slot = b.CreateTrunc(slot, env.i32);
    if (t == env.f32) slot = b.CreateBitCast(b.CreateTrunc(slot, env.i32), env.f32);
    if (t == env.f64) slot = b.CreateBitCast(slot, env.f64);
    args.push_back(slot);
  }
  llvm::CallInst* ret = b.CreateCall(env.function_type(type), stub->getArg(0), args);
  ret->setCallingConv(llvm::CallingConv::Tail);  // every compiled function's (compile/abi.h)
  at = 0;
  for (unsigned i = 0; i < type.results.size(); ++i) {
    llvm::Value* v = type.results.size() == 1 ? ret : b.CreateExtractValue(ret, {i});
    llvm::Value* address = b.CreateConstInBoundsGEP1_64(env.i64, slots, at);
    at += type.results[i] == ValType::V128 ? 2 : 1;
    llvm::Type* t = v->getType();
    if (t == env.f32) v = b.CreateBitCast(v, env.i32);
    if (t == env.f64) v = b.CreateBitCast(v, env.i64);
    if (v->getType() == env.i32) v = b.CreateZExt(v, env.i64);
    b.CreateAlignedStore(v, address, llvm::MaybeAlign(8));
  }
  b.CreateRetVoid();
}

// For each defined function, the first type index with the same signature: one entry
// stub serves all functions of a signature.
std::vector<uint32_t> entry_types(const Module& m) {
  std::map<std::pair<std::vector<ValType>, std::vector<ValType>>, uint32_t> first;
  std::vector<uint32_t> canonical(m.types.size());
  for (uint32_t t = 0; t < m.types.size(); ++t)
    canonical[t] = first.emplace(std::make_pair(m.types[t].params, m.types[t].results), t)
                       .first->second;
  std::vector<uint32_t> out;
  for (uint32_t type : m.funcs) out.push_back(canonical[type]);
  return out;
}

struct Partition {
  std::vector<uint32_t> functions;  // defined indices
  bool entry_stubs = false;
  uint64_t weight = 0;
};

// At most about this many wasm instructions per partition. LLVM's memory grows with the
// code it holds at once (a 5 MB module in two partitions peaked at 1.1 GB), so a large
// module is cut into more partitions than threads, each compiled and released in turn.
constexpr uint64_t kMaxPartitionWeight = 100'000;

// Greedy balance by body size: largest first into the lightest partition.
std::vector<Partition> partition(const Module& m, unsigned threads) {
  uint64_t total = 0;
  std::vector<uint32_t> order(m.funcs.size());
  for (uint32_t i = 0; i < order.size(); ++i) {
    order[i] = i;
    total += m.bodies[i].code.size();
  }
  // Small modules are not worth a thread.
  uint64_t by_size = (total + 16 * order.size()) / kMaxPartitionWeight + 1;
  unsigned n = total < 2000 ? 1 : std::max<unsigned>(threads, static_cast<unsigned>(by_size));
  n = std::max(1u, std::min<unsigned>(n, order.size()));
  std::vector<Partition> parts(n);
  parts[0].entry_stubs = true;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return m.bodies[a].code.size() > m.bodies[b].code.size();
  });
  for (uint32_t f : order) {
    Partition& lightest = *std::min_element(parts.begin(), parts.end(), [](auto& a, auto& b) {
      return a.weight < b.weight;
    });
    lightest.functions.push_back(f);
    lightest.weight += m.bodies[f].code.size() + 16;
  }
  for (Partition& p : parts) std::sort(p.functions.begin(), p.functions.end());
  return parts;
}

bool compile_partition(const CodegenRequest& request, const Partition& part,
                       const std::vector<uint32_t>& stub_types, std::vector<uint8_t>* object,
                       std::string* error) {
  std::unique_ptr<llvm::TargetMachine> tm = target_machine(request.target, request.opt_level, error);
  if (!tm) return false;
  llvm::LLVMContext context;
  llvm::Module module("wasm", context);
  module.setTargetTriple(tm->getTargetTriple().str());
  module.setDataLayout(tm->createDataLayout());
  ModuleEnv env(*request.module, request.layout, context, module);
  env.float_register_constraint = request.target.float_register_constraint;
  const llvm::Triple& triple = tm->getTargetTriple();
  if (triple.isAArch64())
    env.swizzle = ModuleEnv::Swizzle::Tbl;
  else if (triple.isX86() && tm->getMCSubtargetInfo()->checkFeatures("+ssse3"))
    env.swizzle = ModuleEnv::Swizzle::Pshufb;
  auto cancelled = [&] {
    if (request.cancel == nullptr || !request.cancel->load(std::memory_order_relaxed)) return false;
    *error = "cancelled";
    return true;
  };
  for (uint32_t f : part.functions) {
    if (cancelled()) return false;
    FunctionTranslator(env, f).translate();
    // Over the compile budget: LLVM's optimising passes skip the function and instruction
    // selection takes its fast path, as at opt-level 0.
    if (request.opt_level > 0 && !within_budget(*request.module, f)) {
      llvm::Function* fn = env.defined_function(f);
      fn->addFnAttr(llvm::Attribute::OptimizeNone);
    }
  }
  if (part.entry_stubs) {
    std::vector<uint32_t> types = stub_types;
    std::sort(types.begin(), types.end());
    types.erase(std::unique(types.begin(), types.end()), types.end());
    for (uint32_t t : types) build_entry_stub(env, t);
  }
  std::string verify_errors;
  llvm::raw_string_ostream verify_stream(verify_errors);
  // For developers: APERTURE_CODEGEN_DUMP=ir|opt|asm prints the IR before|after
  // optimisation, or the machine code.
  const char* dump = std::getenv("APERTURE_CODEGEN_DUMP");
  if (dump != nullptr && std::string(dump) == "ir") module.print(llvm::errs(), nullptr);
  if (llvm::verifyModule(module, &verify_stream)) {
    *error = "generated code is invalid: " + verify_stream.str().substr(0, 2000);
    return false;
  }
  if (cancelled()) return false;
  optimize(module, *tm, request.opt_level);
  if (cancelled()) return false;
  if (dump != nullptr && std::string(dump) == "opt") module.print(llvm::errs(), nullptr);
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream out(buffer);
  llvm::legacy::PassManager passes;
  if (tm->addPassesToEmitFile(passes, out, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    *error = "the target cannot emit object files";
    return false;
  }
  if (dump != nullptr && std::string(dump) == "asm") {
    llvm::legacy::PassManager asm_passes;
    if (!tm->addPassesToEmitFile(asm_passes, llvm::errs(), nullptr, llvm::CodeGenFileType::AssemblyFile))
      asm_passes.run(module);
  }
  passes.run(module);
  object->assign(buffer.begin(), buffer.end());
  return true;
}

}  // namespace
}  // namespace aperture::native

extern "C" __attribute__((visibility("default"))) const char* aperture_codegen_id() {
  return APERTURE_CODEGEN_ID;
}

extern "C" __attribute__((visibility("default"))) bool aperture_codegen(
    const aperture::native::CodegenRequest* request, aperture::native::CodegenResult* result) {
  using namespace aperture::native;
  if (request->interface_version != kCodegenInterfaceVersion) {
    result->error = "code generator interface version mismatch";
    return false;
  }
  static std::once_flag init;
  std::call_once(init, [] {
    // Every target LLVM was built with: `aperture compile --target` cross-compiles.
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
  });
  const aperture::Module& m = *request->module;
  std::vector<uint32_t> stub_types = entry_types(m);
  std::vector<Partition> parts = partition(m, std::max(1u, request->threads));
  result->objects.assign(parts.size(), {});
  std::vector<std::string> errors(parts.size());
  auto work = [&](size_t i) {
    try {
      compile_partition(*request, parts[i], stub_types, &result->objects[i], &errors[i]);
    } catch (const std::exception& e) {
      errors[i] = e.what();
    }
  };
  // `threads` workers take the partitions in turn.
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < parts.size();) work(i);
  };
  size_t workers = std::min<size_t>(std::max(1u, request->threads), parts.size());
  std::vector<std::thread> threads;
  for (size_t i = 1; i < workers; ++i) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  for (const std::string& e : errors) {
    if (e.empty()) continue;
    result->error = e;
    return false;
  }
  result->entry_types = std::move(stub_types);
  return true;
}
