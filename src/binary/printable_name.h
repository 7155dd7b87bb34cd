// Names from a module (name section, imports, exports, custom sections) are arbitrary
// UTF-8 chosen by whoever wrote the module. Before one reaches a terminal (a backtrace, a
// link error, `aperture inspect`), control characters are escaped so that a module
// cannot move the cursor, clear the screen or forge output lines.
#pragma once

#include <string>
#include <string_view>

namespace aperture {

// `name` with each C0 control (U+0000..U+001F), DEL and backslash written as \xNN
// (backslash as \\) and each C1 control (U+0080..U+009F, e.g. the one-byte CSI U+009B)
// as \u{NN}; everything else, other UTF-8 included, is unchanged.
std::string printable_name(std::string_view name);

}  // namespace aperture
