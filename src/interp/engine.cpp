#include "interp/engine.h"

#include <vector>

#include "interp/code.h"
#include "interp/execute.h"
#include "interp/translate.h"
#include "runtime/compiled_module.h"

namespace aperture {
namespace {

class InterpModuleCode final : public ModuleCode {
 public:
  explicit InterpModuleCode(std::vector<InterpCode> code) : code_(std::move(code)) {}

  void bind(Instance& instance) const override {
    const Module& m = instance.module();
    for (size_t i = 0; i < code_.size(); ++i) {
      Function* f = instance.funcs_[m.num_imported_funcs + i];
      f->engine_ = &interpreter_engine();
      f->code_ = &code_[i];
      f->interp_code_ = &code_[i];
    }
  }

 private:
  std::vector<InterpCode> code_;  // one per defined function
};

class InterpEngine final : public Engine {
 public:
  EngineKind kind() const override { return EngineKind::Interpreter; }
  bool supports_simd() const override { return true; }

  std::unique_ptr<ModuleCode> prepare(const CompiledModule& compiled, std::span<const uint8_t>,
                                      const EngineConfig&) const override {
    const Module& m = compiled.module;
    std::vector<InterpCode> code;
    code.reserve(m.funcs.size());
    for (uint32_t i = 0; i < m.funcs.size(); ++i)
      code.push_back(translate_function(m, i, compiled.type_ids));
    return std::make_unique<InterpModuleCode>(std::move(code));
  }

  void invoke(Function& f, uint64_t* slots) const override { interp_invoke(f, slots); }
};

}  // namespace

const Engine& interpreter_engine() {
  static const InterpEngine engine;
  return engine;
}

}  // namespace aperture
