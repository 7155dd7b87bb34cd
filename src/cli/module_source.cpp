#include "cli/module_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "aperture/engine.h"
#include "aperture/error.h"

namespace aperture::cli {
namespace {

constexpr uint8_t kMagic[4] = {0, 'a', 's', 'm'};

// Closes the descriptor however reading ends (stdin is left open).
struct Fd {
  int fd;
  bool owned;
  ~Fd() {
    if (owned && fd >= 0) close(fd);
  }
};

// Reads until `out` holds `want` bytes or the input ends. Throws on a read error.
void read_up_to(int fd, std::vector<uint8_t>& out, uint64_t want, const std::string& name) {
  uint8_t buf[65536];
  while (out.size() < want) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(sizeof buf, want - out.size()));
    ssize_t n = read(fd, buf, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error("cannot read " + name + ": " + std::strerror(errno));
    if (n == 0) return;
    out.insert(out.end(), buf, buf + n);
  }
}

// True when the bytes look like the start of a WebAssembly text module: after
// whitespace and comments, an opening parenthesis.
bool looks_like_text(const std::vector<uint8_t>& b) {
  size_t i = 0;
  if (b.size() >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) i = 3;  // UTF-8 BOM
  while (i < b.size()) {
    uint8_t c = b[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (c == ';' && i + 1 < b.size() && b[i + 1] == ';') {
      while (i < b.size() && b[i] != '\n') ++i;
    } else if (c == '(' && i + 1 < b.size() && b[i + 1] == ';') {
      size_t end = std::string_view(reinterpret_cast<const char*>(b.data()), b.size()).find(";)", i + 2);
      if (end == std::string_view::npos) return false;
      i = end + 2;
    } else {
      return c == '(';
    }
  }
  return false;
}

[[noreturn]] void not_binary(const std::vector<uint8_t>& head, const std::string& path) {
  std::string name = module_display_name(path);
  if (is_artifact(head))
    throw Error(name + " is a precompiled artifact (aperture compile), not a module; only "
                "`aperture run --allow-precompiled` runs it");
  if (looks_like_text(head)) {
    std::string in = path == "-" ? "module.wat" : path;
    throw Error(name + " is WebAssembly text, not a binary module; convert it with wat2wasm "
                "(wat2wasm " + in + " -o module.wasm) and run the .wasm file");
  }
  throw Error(name + " is not a WebAssembly module (a binary module starts with \"\\0asm\")");
}

// Refuses what cannot be a module file before reading a byte of it.
void check_file_kind(const struct stat& st, const std::string& path) {
  std::string name = module_display_name(path);
  if (S_ISDIR(st.st_mode)) throw Error(name + " is a directory, not a module file");
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
    throw Error(name + " is a device, not a module file (to read a module from a pipe or "
                "terminal, pass - for standard input)");
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > kMaxModuleBytes)
    throw Error(name + " is " + std::to_string(st.st_size) + " bytes; modules larger than " +
                std::to_string(kMaxModuleBytes >> 20) + " MiB are refused");
}

}  // namespace

std::string module_display_name(const std::string& path) {
  return path == "-" ? "standard input" : "'" + path + "'";
}

std::vector<uint8_t> read_module(const std::string& path, bool allow_artifact) {
  bool from_stdin = path == "-";
  Fd in{from_stdin ? 0 : open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK), !from_stdin};
  if (in.fd < 0) throw Error("cannot open " + module_display_name(path) + ": " + std::strerror(errno));
  if (!from_stdin) fcntl(in.fd, F_SETFL, fcntl(in.fd, F_GETFL) & ~O_NONBLOCK);  // a FIFO blocks now
  struct stat st;
  if (fstat(in.fd, &st) != 0)
    throw Error("cannot read " + module_display_name(path) + ": " + std::strerror(errno));
  if (!from_stdin || !S_ISCHR(st.st_mode)) check_file_kind(st, path);  // a terminal is fine as "-"
  std::vector<uint8_t> bytes;
  // Look at the first bytes before reading the rest: an endless stream that is not a
  // module (/dev/zero through a pipe) is refused at once.
  read_up_to(in.fd, bytes, sizeof kMagic, module_display_name(path));
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    read_up_to(in.fd, bytes, 4096, module_display_name(path));
    if (bytes.empty()) throw Error(module_display_name(path) + " is empty, not a module");
    if (!allow_artifact || !is_artifact(bytes)) not_binary(bytes, path);
  }
  read_up_to(in.fd, bytes, kMaxModuleBytes + 1, module_display_name(path));
  if (bytes.size() > kMaxModuleBytes)
    throw Error(module_display_name(path) + " is larger than " +
                std::to_string(kMaxModuleBytes >> 20) + " MiB; larger modules are refused");
  return bytes;
}

}  // namespace aperture::cli
