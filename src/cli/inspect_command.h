// `aperture validate` and `aperture inspect`.
#pragma once

#include <string>

namespace aperture::cli {

int validate_command(const std::string& path);
int inspect_command(const std::string& path);

}  // namespace aperture::cli
