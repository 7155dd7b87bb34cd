// What `aperture run` adds for threaded programs (wasm32-wasip1-threads, wasi-threads).
#pragma once

#include "aperture/runtime.h"

namespace aperture::cli {

// Creates a memory for every shared-memory import that `linker` does not define (a
// wasm32-wasip1-threads program imports its shared memory as env.memory), with the
// import's limits, as wasmtime does. Throws Error when the limits are unusable.
void define_missing_shared_memories(const Module& module, Store& store, Linker& linker);

// Ends the process with `status` at once, after flushing standard output and error. Used
// when other wasm threads still run: destroying the store under them is not an option.
[[noreturn]] void end_program(int status);

}  // namespace aperture::cli
