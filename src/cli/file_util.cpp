#include "cli/file_util.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "aperture/error.h"

namespace aperture::cli {

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open '" + path + "': " + std::strerror(errno));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace aperture::cli
