#include "aperture/trap.h"

namespace aperture {

std::string Trap::describe() const {
  std::string out = what();
  for (const std::string& frame : backtrace) out += "\n  " + frame;
  return out;
}

}  // namespace aperture
