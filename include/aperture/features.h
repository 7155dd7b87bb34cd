// WebAssembly features beyond the 2.0 core that Aperture implements. Each is on by
// default and can be switched off for a module (EngineConfig::features), e.g. to check a
// module against the plain 2.0 rules, which the 2.0 spec suite expects ("multiple
// memories" is invalid there, and memory instructions carry a zero byte, not an index).
#pragma once

namespace aperture {

struct Features {
  // Multiple memories (part of WebAssembly 3.0): any number of memories per module,
  // memory-index immediates on loads, stores and memory instructions.
  bool multi_memory = true;
  // Extended constant expressions (WebAssembly 3.0): i32/i64 add, sub and mul in constant
  // expressions, and `global.get` of any earlier immutable global, not only imported ones.
  bool extended_const = true;
};

}  // namespace aperture
