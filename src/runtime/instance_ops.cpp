#include "runtime/instance_ops.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <vector>

#include "aperture/memory.h"
#include "runtime/compiled_module.h"
#include "runtime/fault_handler.h"
#include "runtime/guest_access.h"

namespace aperture {

namespace {

// A fault while moving bytes that passed the bounds check (a window whose file was
// truncated, a window another thread unmapped meanwhile): the trap the same access by a
// wasm load or store would raise, in every engine.
bool fault_trap(const FaultInfo& fault, std::string* trap) {
  *trap = describe_fault(fault);
  return false;
}

// [addr, addr+len) failed Memory::range_accessible: the trap message. A window another
// thread maps meanwhile can make the range accessible by the time the message is made;
// the access still failed.
bool bounds_trap(const Memory& m, uint64_t addr, uint64_t len, bool write, std::string* trap) {
  *trap = m.access_failure(addr, len, write);
  if (trap->empty()) *trap = trap_msg::kMemoryOutOfBounds;
  return false;
}

}  // namespace

bool memory_fill(Instance& inst, uint32_t memory, uint64_t dst, uint32_t value, uint64_t n,
                 std::string* trap) {
  Memory* m = inst.memories_[memory];
  if (!m->range_accessible(dst, n, true)) return bounds_trap(*m, dst, n, true, trap);
  FaultInfo fault;
  if (!guest_memset(m->base() + dst, static_cast<uint8_t>(value & 0xFF), n, &fault))
    return fault_trap(fault, trap);
  return true;
}

namespace {

// Whether some destination byte is also a source byte reached through another mapping of
// the same bytes: the same region mapped twice (a ring buffer), or a region-backed memory
// and a window of its region (in another memory or in itself). memmove then picks its
// direction from addresses that say nothing about the bytes and smears data; such a copy
// goes through a temporary buffer. Within one window, or within a region-backed memory's
// own pages, addresses and bytes agree and memmove is right.
bool copies_through_alias(const Memory& d, uint64_t dst, const Memory& s, uint64_t src,
                          uint64_t n) {
  if (!d.may_alias() || !s.may_alias()) return false;
  if (&d == &s && d.window_count() == 0) return false;  // one translation: memmove is right
  std::vector<BackingPiece> to = d.backing_pieces(dst, n);
  if (to.empty()) return false;
  std::vector<BackingPiece> from = s.backing_pieces(src, n);
  if (from.empty()) return false;
  // Many windows in both ranges: the buffer is always right, pairwise checks would not pay.
  constexpr size_t kMaxPairs = 4096;
  if (to.size() * from.size() > kMaxPairs) return true;
  for (const BackingPiece& t : to)
    for (const BackingPiece& f : from)
      if (t.window_id != f.window_id && t.dev == f.dev && t.ino == f.ino && t.begin < f.end &&
          f.begin < t.end)
        return true;
  return false;
}

// Reused per thread (a copy between aliasing windows is rarely a one-off).
thread_local std::vector<uint8_t> alias_buffer;

bool copy_via_buffer(Memory& d, uint64_t dst, const Memory& s, uint64_t src, uint64_t n,
                     std::string* trap) {
  try {
    if (alias_buffer.size() < n) alias_buffer.resize(n);
  } catch (const std::bad_alloc&) {
    *trap = "out of host memory: memory.copy between windows of the same region needs a " +
            std::to_string(n) + "-byte temporary buffer; copy in smaller pieces";
    return false;
  }
  FaultInfo fault;
  bool copied = guest_memmove(alias_buffer.data(), s.base() + src, n, &fault) &&
                guest_memmove(d.base() + dst, alias_buffer.data(), n, &fault);
  // Keep a small buffer for the next copy, give a large one back.
  constexpr size_t kKeepBytes = 1 << 20;
  if (alias_buffer.size() > kKeepBytes) std::vector<uint8_t>().swap(alias_buffer);
  return copied || fault_trap(fault, trap);
}

}  // namespace

bool memory_copy(Instance& inst, uint32_t dst_memory, uint32_t src_memory, uint64_t dst,
                 uint64_t src, uint64_t n, std::string* trap) {
  Memory* d = inst.memories_[dst_memory];
  Memory* s = inst.memories_[src_memory];
  if (!s->range_accessible(src, n, false)) {
    *trap = trap_msg::kMemoryOutOfBounds;
    return false;
  }
  if (!d->range_accessible(dst, n, true)) return bounds_trap(*d, dst, n, true, trap);
  if (n != 0 && copies_through_alias(*d, dst, *s, src, n))
    return copy_via_buffer(*d, dst, *s, src, n, trap);
  FaultInfo fault;
  if (!guest_memmove(d->base() + dst, s->base() + src, n, &fault)) return fault_trap(fault, trap);
  return true;
}

bool memory_init(Instance& inst, uint32_t memory, uint32_t segment, uint64_t dst, uint32_t src,
                 uint32_t n, std::string* trap) {
  const std::vector<uint8_t>& bytes = inst.compiled_->module.datas[segment].bytes;
  uint64_t size = inst.data_dropped_[segment] ? 0 : bytes.size();
  if (uint64_t{src} + n > size) {
    *trap = trap_msg::kMemoryOutOfBounds;
    return false;
  }
  Memory* m = inst.memories_[memory];
  if (!m->range_accessible(dst, n, true)) return bounds_trap(*m, dst, n, true, trap);
  FaultInfo fault;
  if (!guest_memmove(m->base() + dst, bytes.data() + src, n, &fault)) return fault_trap(fault, trap);
  return true;
}

void data_drop(Instance& inst, uint32_t segment) { inst.data_dropped_[segment] = 1; }

bool memory_discard(Instance& inst, uint32_t memory, uint64_t addr, uint64_t n, std::string* trap) {
  if (addr % kWasmPageSize != 0 || n % kWasmPageSize != 0) {
    *trap = "unaligned memory.discard: address " + std::to_string(addr) + " and length " +
            std::to_string(n) + " must be multiples of the page size (65536)";
    return false;
  }
  Memory* m = inst.memories_[memory];
  if (!m->range_accessible(addr, n, true)) return bounds_trap(*m, addr, n, true, trap);
  if (n != 0 && !m->discard(addr, n)) {
    *trap = std::string(trap_msg::kMemoryOutOfBounds) + ": memory.discard could not zero [" +
            std::to_string(addr) + ", " + std::to_string(addr + n) +
            ") (the file behind a window there was truncated?)";
    return false;
  }
  return true;
}

// Whether [index, index+n) lies inside `size` entries (no overflow for u64 operands).
static bool in_table(uint64_t index, uint64_t n, uint64_t size) {
  return n <= size && index <= size - n;
}

bool table_get(Instance& inst, uint32_t table, uint64_t index, RefBits* out, std::string* trap) {
  Table* t = inst.tables_[table];
  if (index >= t->elems_.size()) {
    *trap = trap_msg::kTableOutOfBounds;
    return false;
  }
  *out = t->elems_[index];
  return true;
}

bool table_set(Instance& inst, uint32_t table, uint64_t index, RefBits value, std::string* trap) {
  Table* t = inst.tables_[table];
  if (index >= t->elems_.size()) {
    *trap = trap_msg::kTableOutOfBounds;
    return false;
  }
  t->elems_[index] = value;
  return true;
}

bool table_fill(Instance& inst, uint32_t table, uint64_t index, RefBits value, uint64_t n,
                std::string* trap) {
  Table* t = inst.tables_[table];
  if (!in_table(index, n, t->elems_.size())) {
    *trap = trap_msg::kTableOutOfBounds;
    return false;
  }
  std::fill_n(t->elems_.begin() + index, n, value);
  return true;
}

bool table_copy(Instance& inst, uint32_t dst_table, uint32_t src_table, uint64_t dst,
                uint64_t src, uint64_t n, std::string* trap) {
  Table* d = inst.tables_[dst_table];
  Table* s = inst.tables_[src_table];
  if (!in_table(dst, n, d->elems_.size()) || !in_table(src, n, s->elems_.size())) {
    *trap = trap_msg::kTableOutOfBounds;
    return false;
  }
  std::memmove(d->elems_.data() + dst, s->elems_.data() + src, n * sizeof(RefBits));
  return true;
}

bool table_init(Instance& inst, uint32_t table, uint32_t segment, uint64_t dst, uint32_t src,
                uint32_t n, std::string* trap) {
  const std::vector<RefBits>& seg = inst.elem_segments_[segment];
  Table* t = inst.tables_[table];
  if (uint64_t{src} + n > seg.size() || !in_table(dst, n, t->elems_.size())) {
    *trap = trap_msg::kTableOutOfBounds;
    return false;
  }
  std::copy_n(seg.begin() + src, n, t->elems_.begin() + dst);
  return true;
}

void elem_drop(Instance& inst, uint32_t segment) {
  std::vector<RefBits>().swap(inst.elem_segments_[segment]);
}

}  // namespace aperture
