// `aperture region heap /NAME [--reset]`: what a shared heap holds (docs/regions.md,
// "Lifetime of a block").
#pragma once

#include <string>

namespace aperture::cli {

// Prints the heap in shm object `shm_name` by owner, or frees every block (`reset`).
// Returns the exit status.
int heap_command(const std::string& shm_name, bool reset);

}  // namespace aperture::cli
