// The guest API's wait32/wait64/notify (import module "aperture", include/aperture/guest.h).
#pragma once

namespace aperture {

class Store;
class Linker;

// Defines aperture.wait32, aperture.wait64 and aperture.notify. They act on the calling
// instance's memory 0, shared or not, so a single-threaded WASI program can synchronise
// through a window with other processes (memory.atomic.wait would trap on its unshared
// memory). Failures return negative WASI errno values; nothing traps.
void define_wait_imports(Store& store, Linker& linker);

}  // namespace aperture
