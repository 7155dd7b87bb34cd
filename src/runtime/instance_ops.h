// Bulk memory and table instructions with the spec's bounds rules and trap messages,
// shared by every engine (the interpreter's handlers and the compiled engine's helpers
// call these, so the semantics live once). Each returns true on success; on failure it
// stores the trap message in *trap and changes nothing (WebAssembly 2.0 checks the whole
// range before writing).
#pragma once

#include <cstdint>
#include <string>

#include "aperture/runtime.h"

namespace aperture {

// Addresses, lengths and table indices are u64: a 64-bit memory or table (memory64,
// table64) passes them whole, a 32-bit one zero-extended.
bool memory_fill(Instance& inst, uint32_t memory, uint64_t dst, uint32_t value, uint64_t n,
                 std::string* trap);
bool memory_copy(Instance& inst, uint32_t dst_memory, uint32_t src_memory, uint64_t dst,
                 uint64_t src, uint64_t n, std::string* trap);
bool memory_init(Instance& inst, uint32_t memory, uint32_t segment, uint64_t dst, uint32_t src,
                 uint32_t n, std::string* trap);
void data_drop(Instance& inst, uint32_t segment);
// memory.discard (memory-control proposal): address and length must be multiples of the
// wasm page size (64 KiB); the range must be writable as for a store (bounds, read-only
// windows). Zeroes it and gives the pages back to the OS (Memory::discard).
bool memory_discard(Instance& inst, uint32_t memory, uint64_t addr, uint64_t n, std::string* trap);

bool table_get(Instance& inst, uint32_t table, uint64_t index, RefBits* out, std::string* trap);
bool table_set(Instance& inst, uint32_t table, uint64_t index, RefBits value, std::string* trap);
bool table_fill(Instance& inst, uint32_t table, uint64_t index, RefBits value, uint64_t n,
                std::string* trap);
bool table_copy(Instance& inst, uint32_t dst_table, uint32_t src_table, uint64_t dst,
                uint64_t src, uint64_t n, std::string* trap);
bool table_init(Instance& inst, uint32_t table, uint32_t segment, uint64_t dst, uint32_t src,
                uint32_t n, std::string* trap);
void elem_drop(Instance& inst, uint32_t segment);

}  // namespace aperture
