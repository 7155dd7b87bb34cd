#include "cli/thread_support.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "binary/module.h"

namespace aperture::cli {

void define_missing_shared_memories(const Module& module, Store& store, Linker& linker) {
  for (const Import& imp : module.imports) {
    if (imp.kind != ExternKind::Memory || !imp.memory.limits.shared) continue;
    if (linker.find(imp.module, imp.name)) continue;
    linker.define(imp.module, imp.name, Extern::memory(store.create_memory(imp.memory)));
  }
}

void end_program(int status) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  _exit(status);
}

}  // namespace aperture::cli
