// x86-64: the faulting instruction and frame pointer from a signal's ucontext.
#include <ucontext.h>

#include "target/target.h"

namespace aperture::target {

void machine_state(void* context, uintptr_t* pc, uintptr_t* fp) {
  auto* uc = static_cast<ucontext_t*>(context);
  *pc = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
  *fp = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RBP]);
}

}  // namespace aperture::target
