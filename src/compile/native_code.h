// A module's compiled code, loaded and shared by all its instances: bind() gives each
// instance its context (compile/abi.h) and points its functions at the code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compile/invocation.h"
#include "compile/object_loader.h"
#include "runtime/engine.h"

namespace aperture::native {

struct NativeInstanceState;

class NativeModuleCode final : public ModuleCode {
 public:
  // `entry_types`: for each defined function, the type whose entry stub it uses.
  NativeModuleCode(const CompiledModule& module, LoadedCode code,
                   const std::vector<uint32_t>& entry_types);
  ~NativeModuleCode() override;

  void bind(Instance& instance) const override;
  // What bind() does, in two steps for the tiered engine, which moves running instances to
  // this code: the instance's context (touching none of its functions), then one defined
  // function at a time pointed at its code: code_ and context_ first, then engine_ with a
  // release store, so a thread that sees the new engine_ sees the rest (runtime.h).
  std::unique_ptr<NativeInstanceState> make_state(Instance& instance) const;
  void switch_function(Instance& instance, uint32_t defined_index,
                       const NativeInstanceState& state) const;
  size_t function_count() const { return functions_.size(); }

  EntryStub entry_stub(uint32_t defined_index) const { return entries_[defined_index]; }
  // The defined function whose code contains `pc`, if any.
  std::optional<uint32_t> function_at(uintptr_t pc) const;
  const std::string& frame_name(uint32_t defined_index) const { return names_[defined_index]; }
  const CompiledModule& module() const { return module_; }
  bool contains(uintptr_t pc) const { return pc >= code_.code_begin() && pc < code_.code_end(); }

 private:
  const CompiledModule& module_;
  LoadedCode code_;
  std::vector<const void*> functions_;  // machine code of each defined function
  std::vector<EntryStub> entries_;      // entry stub of each defined function
  std::vector<std::pair<uintptr_t, uintptr_t>> ranges_;  // [begin, end) by defined index
  std::vector<uint32_t> by_address_;    // defined indices sorted by code address
  std::vector<std::string> names_;      // backtrace names
};

// Fills `trap`'s backtrace lines (as the interpreter prints them) and structured frames
// from captured frames (innermost first). Compiled frames do not record their instance:
// frames of `entry`'s module from the outermost frame inwards, up to the first frame of
// another module, are attributed to `entry` (the instance entered); the others name no
// instance (nullptr). Instruction offsets are unknown (nullopt).
void describe_native_frames(const NativeFrames& frames, Instance* entry, Trap& trap);

// The engine's per-instance state: the context compiled code receives.
struct NativeInstanceState : EngineInstanceState {
  std::vector<uint64_t> context;  // ContextLayout::size() bytes, 8-aligned
};

}  // namespace aperture::native
