// `aperture bind`: the module's bytes are copied unchanged except for the `aperture.bind`
// custom section, which is rewritten at the end with the old records and the new ones.
#include "cli/bind_command.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "aperture/bindings.h"
#include "binary/decoder.h"
#include "binary/module.h"
#include "cli/file_util.h"
#include "cli/module_source.h"
#include "cli/output_file.h"
#include "cli/region_options.h"
#include "validate/validator.h"

namespace aperture::cli {
namespace {

uint32_t read_leb_u32(const std::vector<uint8_t>& bytes, size_t* at) {
  uint32_t v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (*at >= bytes.size()) throw Error("truncated section header");
    uint8_t b = bytes[(*at)++];
    v |= static_cast<uint32_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  throw Error("bad section size");
}

void write_leb_u32(std::vector<uint8_t>& out, uint32_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(v ? b | 0x80 : b);
  } while (v);
}

// The module without its aperture.bind sections (already decoded, so well-formed).
std::vector<uint8_t> without_bind_sections(const std::vector<uint8_t>& in) {
  std::vector<uint8_t> out(in.begin(), in.begin() + 8);  // magic and version
  size_t at = 8;
  while (at < in.size()) {
    size_t start = at++;
    uint32_t size = read_leb_u32(in, &at);
    size_t end = at + size;
    bool drop = false;
    if (in[start] == 0) {  // custom section: name first
      size_t name_at = at;
      uint32_t len = read_leb_u32(in, &name_at);
      drop = std::string(in.begin() + name_at, in.begin() + name_at + len) == kBindSectionName;
    }
    if (!drop) out.insert(out.end(), in.begin() + start, in.begin() + end);
    at = end;
  }
  return out;
}

void append_bind_section(std::vector<uint8_t>& module, const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> body;
  std::string name = kBindSectionName;
  write_leb_u32(body, static_cast<uint32_t>(name.size()));
  body.insert(body.end(), name.begin(), name.end());
  body.insert(body.end(), payload.begin(), payload.end());
  module.push_back(0);
  write_leb_u32(module, static_cast<uint32_t>(body.size()));
  module.insert(module.end(), body.begin(), body.end());
}

uint32_t memory_count(const Module& m) {
  uint32_t n = static_cast<uint32_t>(m.memories.size());
  for (const Import& i : m.imports) n += i.kind == ExternKind::Memory;
  return n;
}

// What cannot work with any region is refused now rather than at every run.
void check_binding(const Module& m, const Binding& b) {
  uint64_t page = host_page_size();
  if (b.kind == Binding::Kind::Memory) {
    if (b.memory >= memory_count(m))
      throw UsageError("--memory " + std::to_string(b.memory) + "=" + b.region + ": the module has no memory " +
                       std::to_string(b.memory) + " (it has " + std::to_string(memory_count(m)) + ")");
    if (b.growth == MemoryGrowth::ExtendRegion)
      throw UsageError("--memory " + std::to_string(b.memory) + "=" + b.region + ",extend: whether a memory may "
                       "extend its region is decided when running (aperture run --memory N=NAME,extend), not "
                       "recorded in the module");
    if (b.offset % page != 0)
      throw UsageError("--memory " + std::to_string(b.memory) + "=" + b.region + ": offset " +
                       std::to_string(b.offset) + " is not a multiple of the page size " + std::to_string(page));
    return;
  }
  std::string what = "--map " + b.region + "@" + std::to_string(b.addr);
  if (b.memory >= memory_count(m))
    throw UsageError(what + ": the module has no memory " + std::to_string(b.memory) + " (it has " +
                     std::to_string(memory_count(m)) + ")");
  if (b.addr % page != 0 || b.offset % page != 0 || b.size % page != 0)
    throw UsageError(what + ": address, offset and size must be multiples of the page size " +
                     std::to_string(page));
  if (b.addr >= Memory::kAddressSpace || b.size > Memory::kAddressSpace - b.addr)
    throw UsageError(what + ": the window must lie inside the 4 GiB address space");
}

}  // namespace

CLI::App* add_bind_command(CLI::App& app, BindOptions& o) {
  CLI::App* bind = app.add_subcommand(
      "bind", "Write declarative bindings (windows, region-backed memories) into a module's aperture.bind section");
  bind->add_option("module", o.input, "the .wasm module (- reads standard input)")->required();
  bind->add_option("-o,--output", o.output, "the module to write")->required();
  auto one_each = [](CLI::Option* opt) {
    opt->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  };
  one_each(bind->add_option("--map", o.maps,
                            "a window NAME@ADDR[,offset=N][,size=N][,memory=N][,ro|,rw] (default rw)"));
  one_each(bind->add_option("--memory", o.memories, "memory N (imported or defined) is region NAME: N=NAME[,offset=N]"));
  return bind;
}

int bind_command(const BindOptions& o) {
  std::vector<Binding> added;
  try {
    for (const std::string& m : o.maps) added.push_back(parse_map_binding(m));
    for (const std::string& m : o.memories) added.push_back(parse_memory_binding(m));
    if (added.empty()) throw UsageError("nothing to bind: give --map NAME@ADDR,... or --memory N=NAME");
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  }
  try {
    std::vector<uint8_t> bytes = read_module(o.input);
    Module m = decode_module(bytes);
    validate_module(m);
    std::vector<Binding> all = module_bindings(m);
    for (const Binding& b : added) check_binding(m, b);
    all.insert(all.end(), added.begin(), added.end());
    try {
      check_memories_bound_once(all);  // the runtime would refuse the module at every run
    } catch (const BindError& e) {
      throw UsageError(e.what());
    }
    std::vector<uint8_t> out = without_bind_sections(bytes);
    append_bind_section(out, encode_bind_section(all));
    write_output_file(o.output, out);
    for (const Binding& b : all) std::cout << "bound: " << describe_binding(b) << "\n";
    return kExitOk;
  } catch (const UsageError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const OffsetError& e) {
    std::cerr << "error: " << module_display_name(o.input) << ": " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "error: " << error_text(e) << "\n";
  }
  return kExitError;
}

}  // namespace aperture::cli
