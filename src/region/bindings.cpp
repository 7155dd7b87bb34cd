// The `aperture.bind` custom section: parsing, writing, resolving against the host's
// regions, and establishing the bindings (docs/regions.md, "Declarative bindings").
#include "aperture/bindings.h"

#include <cstdio>
#include <map>

#include "binary/module.h"
#include "binary/printable_name.h"

namespace aperture {
namespace {

uint64_t read_le(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

void write_le(std::vector<uint8_t>& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string quoted(const std::string& name) {
  std::string q = "'";  // appended, not "'" + ...: GCC 12 warns (-Wrestrict) falsely on that
  q += printable_name(name);
  q += '\'';
  return q;
}

[[noreturn]] void malformed(size_t at, const std::string& what) {
  throw BindError("malformed " + std::string(kBindSectionName) + " section: " + what +
                  " (record at byte " + std::to_string(at) + " of the section)");
}

Binding parse_record(const uint8_t* p, size_t at, size_t left) {
  if (left < kBindRecordHeaderBytes)
    malformed(at, "a record needs " + std::to_string(kBindRecordHeaderBytes) + " header bytes, " +
                      std::to_string(left) + " left");
  if (p[0] != kBindFormatVersion)
    malformed(at, "format version " + std::to_string(p[0]) + "; this runtime reads version " +
                      std::to_string(kBindFormatVersion));
  Binding b;
  if (p[1] != 1 && p[1] != 2) malformed(at, "kind " + std::to_string(p[1]) + " (1 = window, 2 = memory)");
  b.kind = static_cast<Binding::Kind>(p[1]);
  if (p[2] != 1 && p[2] != 3) malformed(at, "access " + std::to_string(p[2]) + " (1 = read, 3 = read-write)");
  b.access = static_cast<Access>(p[2]);
  size_t name_len = p[3];
  if (name_len == 0) malformed(at, "an empty region name");
  if (left < kBindRecordHeaderBytes + name_len)
    malformed(at, "the region name needs " + std::to_string(name_len) + " bytes, " +
                      std::to_string(left - kBindRecordHeaderBytes) + " left");
  b.memory = static_cast<uint32_t>(read_le(p + 4, 4));
  b.offset = read_le(p + 8, 8);
  b.size = read_le(p + 16, 8);
  b.addr = read_le(p + 24, 8);
  b.region.assign(reinterpret_cast<const char*>(p + kBindRecordHeaderBytes), name_len);
  if (b.kind == Binding::Kind::Memory && (b.size != 0 || b.addr != 0 || b.access != Access::ReadWrite))
    malformed(at, "a memory record must have size 0, address 0 and access 3");
  return b;
}

}  // namespace

std::vector<Binding> parse_bind_section(std::span<const uint8_t> payload) {
  std::vector<Binding> out;
  size_t at = 0;
  while (at < payload.size()) {
    Binding b = parse_record(payload.data() + at, at, payload.size() - at);
    at += kBindRecordHeaderBytes + b.region.size();
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<uint8_t> encode_bind_section(std::span<const Binding> bindings) {
  std::vector<uint8_t> out;
  for (const Binding& b : bindings) {
    if (b.kind == Binding::Kind::Memory && b.growth == MemoryGrowth::ExtendRegion)
      throw BindError("memory " + std::to_string(b.memory) + " = region " + quoted(b.region) +
                      ": whether a memory may extend its region is the host's decision, not recorded in " +
                      kBindSectionName + "; pass extend to aperture run --memory instead");
    if (b.region.empty() || b.region.size() > 255)
      throw BindError("a region name in " + std::string(kBindSectionName) +
                      " has 1 to 255 bytes, not " + std::to_string(b.region.size()));
    out.push_back(kBindFormatVersion);
    out.push_back(static_cast<uint8_t>(b.kind));
    out.push_back(static_cast<uint8_t>(b.access));
    out.push_back(static_cast<uint8_t>(b.region.size()));
    write_le(out, b.memory, 4);
    write_le(out, b.offset, 8);
    write_le(out, b.size, 8);
    write_le(out, b.addr, 8);
    out.insert(out.end(), b.region.begin(), b.region.end());
  }
  return out;
}

std::vector<Binding> module_bindings(const Module& module) {
  std::vector<Binding> out;
  for (const CustomSection& c : module.customs) {
    if (c.name != kBindSectionName) continue;
    std::vector<Binding> part = parse_bind_section(c.bytes);
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

std::string describe_binding(const Binding& b) {
  if (b.kind == Binding::Kind::Memory)
    return "memory " + std::to_string(b.memory) + " = region " + quoted(b.region) +
           (b.offset ? " from offset " + hex(b.offset) : "") +
           (b.growth == MemoryGrowth::ExtendRegion ? ", extending it as it grows" : "");
  return "window of region " + quoted(b.region) + " at " + hex(b.addr) + " of memory " +
         std::to_string(b.memory) + ", offset " + hex(b.offset) + ", size " +
         (b.size ? hex(b.size) : std::string("rest of the region")) + ", " +
         (b.access == Access::Read ? "ro" : "rw");
}

std::vector<ResolvedBinding> resolve_bindings(std::span<const Binding> bindings,
                                              const RegionLookup& lookup) {
  std::vector<ResolvedBinding> out;
  for (const Binding& b : bindings) {
    std::shared_ptr<Region> r = lookup ? lookup(b.region) : nullptr;
    if (!r)
      throw BindError("the module binds region " + quoted(b.region) + " (" + describe_binding(b) +
                      "), but no region of that name is provided; define it (aperture run --region " +
                      printable_name(b.region) + "=SPEC)");
    uint64_t end = b.offset + b.size;
    if (b.offset > r->size() || end < b.offset || end > r->size())
      throw BindError("region " + quoted(b.region) + " has " + std::to_string(r->size()) +
                      " bytes, too small for the module's binding (" + describe_binding(b) + ")");
    if ((b.access == Access::ReadWrite || b.kind == Binding::Kind::Memory) && !r->writable())
      throw BindError("region " + quoted(b.region) + " is read-only, but the module binds it read-write (" +
                      describe_binding(b) + ")");
    out.push_back({b, std::move(r)});
  }
  return out;
}

void check_memories_bound_once(std::span<const Binding> bindings) {
  std::map<uint32_t, const Binding*> bound;
  for (const Binding& b : bindings) {
    if (b.kind != Binding::Kind::Memory) continue;
    auto [earlier, first] = bound.emplace(b.memory, &b);
    if (!first)
      throw BindError("memory " + std::to_string(b.memory) + " is bound twice, to region " +
                      quoted(earlier->second->region) + " and to region " + quoted(b.region) +
                      "; a memory is one region's pages, bind it once");
  }
}

namespace {

// The type of memory `index` of `module` (imports first); nullptr when it has none.
// *import is the import for an imported memory, else nullptr.
const MemoryType* memory_type(const Module& module, uint32_t index, const Import** import) {
  *import = nullptr;
  uint32_t imported = 0;
  for (const Import& i : module.imports) {
    if (i.kind != ExternKind::Memory) continue;
    if (imported++ == index) {
      *import = &i;
      return &i.memory;
    }
  }
  if (index - imported < module.memories.size()) return &module.memories[index - imported];
  return nullptr;
}

std::string count_memories(const Module& module) {
  size_t n = module.num_imported_memories + module.memories.size();
  return std::to_string(n) + (n == 1 ? " memory" : " memories");
}

// A region too small for the memory's minimum fails here, naming the binding, before
// anything is created.
void check_holds_minimum(const MemoryType& type, const ResolvedBinding& rb) {
  const Binding& b = rb.binding;
  uint64_t needed = type.limits.min * kWasmPageSize;
  if (b.growth == MemoryGrowth::ExtendRegion || needed <= rb.region->size() - b.offset) return;
  throw BindError("region " + quoted(b.region) + " has " + std::to_string(rb.region->size() - b.offset) +
                  " bytes from offset " + hex(b.offset) + ", too small for memory " + std::to_string(b.memory) +
                  "'s minimum of " + std::to_string(type.limits.min) + " pages (" + std::to_string(needed) +
                  " bytes); give the region at least that size (" + describe_binding(b) + ")");
}

}  // namespace

void define_bound_memories(const Module& module, std::span<const ResolvedBinding> bindings,
                           Store& store, Linker& linker, MemoryBackings* defined) {
  std::vector<Binding> plain;
  for (const ResolvedBinding& rb : bindings) plain.push_back(rb.binding);
  check_memories_bound_once(plain);
  for (const ResolvedBinding& rb : bindings) {
    const Binding& b = rb.binding;
    if (b.kind != Binding::Kind::Memory) continue;
    const Import* import = nullptr;
    const MemoryType* type = memory_type(module, b.memory, &import);
    if (!type)
      throw BindError("the module binds memory " + std::to_string(b.memory) + " to region " + quoted(b.region) +
                      ", which it does not have (it has " + count_memories(module) + ")");
    if (!import && !defined)
      throw BindError("the module binds memory " + std::to_string(b.memory) + ", which it defines, to region " +
                      quoted(b.region) + "; pass a MemoryBackings to define_bound_memories and Store::instantiate");
    check_holds_minimum(*type, rb);
    try {
      if (!import) {
        (*defined)[b.memory] = region_memory_backing(rb.region, b.offset, b.growth);
        continue;
      }
      Memory* mem = create_region_memory(store, *type, rb.region, b.offset, b.growth);
      linker.define(import->module, import->name, Extern::memory(mem));
    } catch (const RegionError& e) {
      throw BindError(std::string(e.what()) + " (" + describe_binding(b) + ")");
    }
  }
}

void map_bound_windows(Instance& instance, std::span<const ResolvedBinding> bindings) {
  for (const ResolvedBinding& rb : bindings) {
    const Binding& b = rb.binding;
    if (b.kind != Binding::Kind::Window) continue;
    Memory* mem = instance.memory(b.memory);
    if (!mem)
      throw BindError("the module binds a window into memory " + std::to_string(b.memory) +
                      ", which it does not have (" + describe_binding(b) + ")");
    try {
      map_window(*mem, rb.region, b.offset, b.size, b.addr, b.access);
    } catch (const RegionError& e) {
      throw RegionError(e.wasi_errno(), std::string(e.what()) + " (" + describe_binding(b) + ")");
    }
  }
}

}  // namespace aperture
