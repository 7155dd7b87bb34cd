// Declarative bindings: the `aperture.bind` custom section (docs/regions.md,
// "Declarative bindings"). A module lists the windows it expects (region name, offset,
// size, wasm address, memory, access) and the memories it wants backed by a region; the
// host provides regions by name (CLI --region, or a RegionLookup), and instantiation
// establishes them before the start function runs, or fails naming what is missing.
//
//   auto bindings = aperture::module_bindings(aperture::module_of(*compiled));
//   auto resolved = aperture::resolve_bindings(bindings, [&](const std::string& name) {
//     return name == "sensors" ? sensors : nullptr; });   // throws BindError
//   aperture::MemoryBackings defined;                     // memories the module defines
//   aperture::define_bound_memories(module, resolved, store, linker, &defined);
//   store.instantiate(compiled, linker, [&](aperture::Instance& i) {
//     aperture::map_bound_windows(i, resolved); }, defined);
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "aperture/region.h"

namespace aperture {

struct Module;

inline constexpr char kBindSectionName[] = "aperture.bind";
inline constexpr uint8_t kBindFormatVersion = 1;
// Each record: a 32-byte header, then the region name (docs/regions.md has the table).
inline constexpr size_t kBindRecordHeaderBytes = 32;

// How a region-backed memory grows (docs/regions.md, "Region-backed memories").
enum class MemoryGrowth : uint8_t {
  WithinRegion,  // up to the region's end (whole wasm pages), then memory.grow returns -1
  ExtendRegion,  // up to the memory's maximum, extending the region's file, shm object or
                 // memfd as it grows (never shrinking it); a host decision, not recorded
                 // in the aperture.bind section
};

struct Binding {
  enum class Kind : uint8_t { Window = 1, Memory = 2 };
  Kind kind = Kind::Window;
  std::string region;     // the name the host provides the region under (1..255 bytes)
  uint32_t memory = 0;    // memory index in the module
  uint64_t offset = 0;    // region offset (host-page aligned)
  uint64_t size = 0;      // Window: bytes, 0 = the rest of the region. Memory: 0
  uint64_t addr = 0;      // Window: wasm address. Memory: 0
  Access access = Access::ReadWrite;  // Memory: always ReadWrite
  MemoryGrowth growth = MemoryGrowth::WithinRegion;  // Memory only; not in the section
};

// A malformed section, or bindings the host cannot satisfy (a missing or too small
// region). The message names the region or the byte.
class BindError : public Error {
 public:
  using Error::Error;
};

// The records of one section payload. Throws BindError naming the byte offset.
std::vector<Binding> parse_bind_section(std::span<const uint8_t> payload);
// A section payload holding `bindings`. Throws BindError for a name of 0 or > 255 bytes,
// and for a memory binding with MemoryGrowth::ExtendRegion (the host decides that).
std::vector<uint8_t> encode_bind_section(std::span<const Binding> bindings);
// Every record of the module's `aperture.bind` sections, in order. Throws BindError.
std::vector<Binding> module_bindings(const Module& module);
// One line for `aperture inspect` and messages.
std::string describe_binding(const Binding& b);

// A memory is one region's pages: throws BindError naming both regions when `bindings`
// hold two memory records for the same memory.
void check_memories_bound_once(std::span<const Binding> bindings);

// Regions the host provides by name (nullptr: not provided).
using RegionLookup = std::function<std::shared_ptr<Region>(const std::string& name)>;

struct ResolvedBinding {
  Binding binding;
  std::shared_ptr<Region> region;
};

// Looks every binding's region up and checks that it exists, is large enough and allows
// the access, before anything is created. Throws BindError naming the region.
std::vector<ResolvedBinding> resolve_bindings(std::span<const Binding> bindings,
                                              const RegionLookup& lookup);
// Before instantiation: every Memory binding of an imported memory becomes a
// region-backed memory defined in `linker` under the import's names; every Memory binding
// of a memory the module defines itself becomes an entry of `defined`, for
// Store::instantiate (without `defined` such a binding is a BindError). A memory bound
// twice, a memory index the module does not have, or a region too small for the memory's
// minimum is a BindError naming the region.
void define_bound_memories(const Module& module, std::span<const ResolvedBinding> bindings,
                           Store& store, Linker& linker, MemoryBackings* defined = nullptr);
// After segment initialisation (Store::instantiate's before_start): maps every Window
// binding as a host binding. Throws BindError / RegionError naming the region.
void map_bound_windows(Instance& instance, std::span<const ResolvedBinding> bindings);

// A whole memory whose pages are region[offset, ...) (docs/regions.md, "Region-backed
// memories"): every instance and process backing a memory with the same region shares
// its bytes. It starts with type.limits.min pages and grows within the region (whole
// wasm pages), never beyond, or with MemoryGrowth::ExtendRegion up to its maximum,
// extending the region's file. For an imported memory: define it in the linker. Throws
// RegionError: a read-only region (EACCES), an offset that is not page-aligned or a
// region too small for the minimum (EINVAL), a region without a descriptor (ENOTSUP),
// ExtendRegion on a device or on a range that ends before its file does (EINVAL).
Memory* create_region_memory(Store& store, const MemoryType& type, std::shared_ptr<Region> region,
                             uint64_t offset = 0, MemoryGrowth growth = MemoryGrowth::WithinRegion);
// The same for a memory the module defines: pass it to Store::instantiate as memory N's
// backing (MemoryBackings{{N, region_memory_backing(region)}}). Throws RegionError as
// create_region_memory; a region too small for the memory fails the instantiation.
MemoryBacking region_memory_backing(std::shared_ptr<Region> region, uint64_t offset = 0,
                                    MemoryGrowth growth = MemoryGrowth::WithinRegion);

}  // namespace aperture
