#include "runtime/instance_ops.h"

#include <algorithm>
#include <cstring>

#include "aperture/memory.h"
#include "runtime/compiled_module.h"

namespace aperture {

bool memory_fill(Instance& inst, uint32_t memory, uint32_t dst, uint32_t value, uint32_t n,
                 std::string* trap) {
  Memory* m = inst.memories_[memory];
  if (!m->range_accessible(dst, n, true)) {
    *trap = m->access_failure(dst, n, true);
    return false;
  }
  std::memset(m->base() + dst, static_cast<int>(value & 0xFF), n);
  return true;
}

bool memory_copy(Instance& inst, uint32_t dst_memory, uint32_t src_memory, uint32_t dst,
                 uint32_t src, uint32_t n, std::string* trap) {
  Memory* d = inst.memories_[dst_memory];
  Memory* s = inst.memories_[src_memory];
  if (!s->range_accessible(src, n, false)) {
    *trap = trap_msg::kMemoryOutOfBounds;
    return false;
  }
  if (!d->range_accessible(dst, n, true)) {
    *trap = d->access_failure(dst, n, true);
    return false;
  }
  std::memmove(d->base() + dst, s->base() + src, n);
  return true;
}

bool memory_init(Instance& inst, uint32_t memory, uint32_t segment, uint32_t dst, uint32_t src,
                 uint32_t n, std::string* trap) {
  const std::vector<uint8_t>& bytes = inst.compiled_->module.datas[segment].bytes;
  uint64_t size = inst.data_dropped_[segment] ? 0 : bytes.size();
  if (uint64_t{src} + n > size) {
    *trap = trap_msg::kMemoryOutOfBounds;
    return false;
  }
  Memory* m = inst.memories_[memory];
  if (!m->range_accessible(dst, n, true)) {
    *trap = m->access_failure(dst, n, true);
    return false;
  }
  if (n != 0) std::memcpy(m->base() + dst, bytes.data() + src, n);
  return true;
}

void data_drop(Instance& inst, uint32_t segment) { inst.data_dropped_[segment] = 1; }

bool table_get(Instance& inst, uint32_t table, uint32_t index, RefBits* out, std::string* trap) {
  Table* t = inst.tables_[table];
  if (index >= t->elems_.size()) {
    *trap = trap_msg::kTableOutOfBounds;
    return false;
  }
  *out = t->elems_[index];
  return true;
}

bool table_set(Instance& inst, uint32_t table, uint32_t index, RefBits value, std::string* trap) {
  Table* t = inst.tables_[table];
  if (index >= t->elems_.size()) {
    *trap = trap_msg::kTableOutOfBounds;
    return false;
  }
  t->elems_[index] = value;
  return true;
}

bool table_fill(Instance& inst, uint32_t table, uint32_t index, RefBits value, uint32_t n,
                std::string* trap) {
  Table* t = inst.tables_[table];
  if (uint64_t{index} + n > t->elems_.size()) {
    *trap = trap_msg::kTableOutOfBounds;
    return false;
  }
  std::fill_n(t->elems_.begin() + index, n, value);
  return true;
}

bool table_copy(Instance& inst, uint32_t dst_table, uint32_t src_table, uint32_t dst,
                uint32_t src, uint32_t n, std::string* trap) {
  Table* d = inst.tables_[dst_table];
  Table* s = inst.tables_[src_table];
  if (uint64_t{dst} + n > d->elems_.size() || uint64_t{src} + n > s->elems_.size()) {
    *trap = trap_msg::kTableOutOfBounds;
    return false;
  }
  std::memmove(d->elems_.data() + dst, s->elems_.data() + src, n * sizeof(RefBits));
  return true;
}

bool table_init(Instance& inst, uint32_t table, uint32_t segment, uint32_t dst, uint32_t src,
                uint32_t n, std::string* trap) {
  const std::vector<RefBits>& seg = inst.elem_segments_[segment];
  Table* t = inst.tables_[table];
  if (uint64_t{src} + n > seg.size() || uint64_t{dst} + n > t->elems_.size()) {
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
