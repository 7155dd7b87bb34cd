// env.shared_heap_malloc / env.shared_heap_free over a heap or a chain of heaps (both have
// attached_to, malloc and free): WAMR's two functions, as guests written for it import them.
#pragma once

#include <memory>

#include "aperture/runtime.h"

namespace aperture {

// Defines the two imports; they keep `heap` alive and act on the calling instance's
// memory 0, which must have attached it (otherwise malloc returns 0 and free does nothing).
template <class Heap>
void define_shared_heap_imports(Store& store, Linker& linker, std::shared_ptr<Heap> heap) {
  auto attached = [heap](HostContext& c) {
    Memory* mem = c.memory(0);
    return mem && heap->attached_to(*mem);
  };
  linker.define("env", "shared_heap_malloc",
                Extern::func(store.create_host_function(
                    FuncType{{ValType::I32}, {ValType::I32}},
                    [heap, attached](HostContext& c, const uint64_t* a, uint64_t* r) {
                      r[0] = attached(c) ? heap->malloc(static_cast<uint32_t>(a[0])) : 0;
                    },
                    "shared_heap_malloc")));
  linker.define("env", "shared_heap_free",
                Extern::func(store.create_host_function(
                    FuncType{{ValType::I32}, {}},
                    [heap, attached](HostContext& c, const uint64_t* a, uint64_t*) {
                      if (attached(c)) heap->free(static_cast<uint32_t>(a[0]));
                    },
                    "shared_heap_free")));
}

}  // namespace aperture
