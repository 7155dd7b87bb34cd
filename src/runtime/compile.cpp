// compile(): decode, validate and translate a module once; instances share the result.
#include "aperture/runtime.h"
#include "binary/decoder.h"
#include "interp/translate.h"
#include "runtime/compiled_module.h"
#include "validate/validator.h"

namespace aperture {

std::shared_ptr<const CompiledModule> compile(std::span<const uint8_t> bytes) {
  auto compiled = std::make_shared<CompiledModule>();
  compiled->module = decode_module(bytes);
  const Module& m = compiled->module;
  validate_module(m);
  compiled->type_ids.reserve(m.types.size());
  for (const FuncType& t : m.types) compiled->type_ids.push_back(canonical_type_id(t));
  compiled->code.reserve(m.funcs.size());
  for (uint32_t i = 0; i < m.funcs.size(); ++i)
    compiled->code.push_back(translate_function(m, i, compiled->type_ids));
  return compiled;
}

const Module& module_of(const CompiledModule& m) { return m.module; }

}  // namespace aperture
