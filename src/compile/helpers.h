// The runtime helpers compiled code calls (compile/abi.h, APERTURE_HELPERS).
#pragma once

namespace aperture::native {

// Indexed by HelperId; what the context's kHelpersOffset points to.
const void* const* helper_table();

}  // namespace aperture::native
