#include "compile/engine.h"

#include <cstring>
#include <thread>

#include "compile/artifact.h"
#include "compile/code_cache.h"
#include "compile/compile_target.h"
#include "compile/codegen_library.h"
#include "compile/native_code.h"
#include "compile/object_loader.h"
#include "runtime/compiled_module.h"
#include "target/target.h"

namespace aperture {
namespace native {

const RuntimeLayout& runtime_layout() {
  static const RuntimeLayout layout = [] {
    auto offset = [](const auto& object, const auto& field) {
      return static_cast<uint32_t>(reinterpret_cast<const char*>(&field) -
                                   reinterpret_cast<const char*>(&object));
    };
    RuntimeLayout l;
    Function f;
    l.function_type_id = offset(f, f.type_id_);
    l.function_engine = offset(f, f.engine_);
    l.function_code = offset(f, f.code_);
    l.function_context = offset(f, f.context_);
    // A table's elements are a std::vector<RefBits>, whose first two words are the begin
    // and end pointers (libstdc++); checked here so a different layout fails loudly.
    Table t(TableType{ValType::FuncRef, Limits{3, std::nullopt}});
    auto words = reinterpret_cast<RefBits* const*>(&t.elems_);
    static_assert(sizeof(t.elems_) == 3 * sizeof(void*));
    if (words[0] != t.elems_.data() || words[1] != t.elems_.data() + t.elems_.size())
      throw Error("unsupported std::vector layout: the compiled engine cannot read tables");
    l.table_begin = offset(t, t.elems_);
    l.table_end = l.table_begin + sizeof(void*);
    return l;
  }();
  return layout;
}

CompiledCode generate(const Module& module, int opt_level, const CompileTarget* target,
                      const std::atomic<bool>* cancel, unsigned threads) {
  if (opt_level < 0 || opt_level > 3)
    throw Error("optimisation level " + std::to_string(opt_level) + " is not 0, 1, 2 or 3");
  CodegenRequest request;
  request.module = &module;
  request.layout = runtime_layout();
  CompileTarget host = parse_compile_target(target::host_target_name());
  request.target.host = target == nullptr;
  if (target == nullptr) target = &host;
  request.target.llvm_triple = target->llvm_triple;
  request.target.llvm_cpu = target->llvm_cpu;
  request.target.llvm_features = target->llvm_features;
  request.target.float_register_constraint = target->float_register_constraint;
  request.opt_level = opt_level;
  request.threads = threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency());
  request.cancel = cancel;
  CodegenResult result = generate_code(request);
  return CompiledCode{std::move(result.objects), std::move(result.entry_types)};
}

std::unique_ptr<NativeModuleCode> load_native_code(const CompiledModule& module,
                                                   const CompiledCode& code) {
  std::vector<std::span<const uint8_t>> objects(code.objects.begin(), code.objects.end());
  return std::make_unique<NativeModuleCode>(module, load_objects(objects), code.entry_types);
}

CacheKey cache_key(std::span<const uint8_t> bytes, const EngineConfig& config) {
  CacheKey key;
  if (config.cache_dir.empty()) return key;
  key.enabled = true;
  key.module_hash = sha256(bytes);
  return key;
}

std::unique_ptr<NativeModuleCode> load_cached_code(const CompiledModule& module, const CacheKey& key,
                                                   const EngineConfig& config) {
  if (!key.enabled) return nullptr;
  std::optional<CodeCache> cache = CodeCache::open(config.cache_dir, config.on_warning, config.cache_max_size);
  if (!cache) return nullptr;
  std::optional<CompiledCode> code = cache->lookup(key.module_hash, config.opt_level, config.on_warning);
  if (!code) return nullptr;
  try {
    return load_native_code(module, *code);
  } catch (const Error& e) {
    if (config.on_warning)
      config.on_warning("cached code for this module does not load (" + std::string(e.what()) +
                        "); compiling again");
  }
  return nullptr;
}

void store_cached_code(const CacheKey& key, const EngineConfig& config, const CompiledCode& code) {
  if (!key.enabled) return;
  std::optional<CodeCache> cache = CodeCache::open(config.cache_dir, config.on_warning, config.cache_max_size);
  if (cache) cache->store(key.module_hash, config.opt_level, code, config.on_warning);
}

namespace {

class CompiledEngine final : public Engine {
 public:
  EngineKind kind() const override { return EngineKind::Compiled; }
  bool supports_simd() const override { return true; }

  // With a cache: a hit loads stored code (no LLVM); a miss compiles and stores.
  std::unique_ptr<ModuleCode> prepare(const CompiledModule& module, std::span<const uint8_t> bytes,
                                      const EngineConfig& config) const override {
    CacheKey key = cache_key(bytes, config);
    if (std::unique_ptr<NativeModuleCode> cached = load_cached_code(module, key, config)) return cached;
    CompiledCode code = generate(module.module, config.opt_level);
    store_cached_code(key, config, code);
    return load_native_code(module, code);
  }

  void invoke(Function& f, uint64_t* slots) const override {
    auto* context = static_cast<uint8_t*>(f.context_);
    const NativeModuleCode* code;
    std::memcpy(&code, context + kModuleCodeOffset, sizeof code);
    uint32_t defined = f.index_ - f.instance_->module().num_imported_funcs;
    run_native(code->entry_stub(defined), f.code_, context, slots);
  }
};

}  // namespace
}  // namespace native

const Engine& compiling_engine() {
  static const native::CompiledEngine engine;
  return engine;
}

}  // namespace aperture
