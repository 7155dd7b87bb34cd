// `aperture run --region/--grant/--map` and `aperture region create|info|heap|rm`.
#include "cli/region_options.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>

#include "aperture/bindings.h"
#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/shared_heap.h"
#include "cli/file_util.h"
#include "cli/heap_command.h"
#include "cli/option_values.h"

namespace aperture::cli {
namespace {

// "a,b=c,d" -> first item and key/value options (a bare word maps to "").
struct SpecParts {
  std::string head;
  std::map<std::string, std::string> options;
};

SpecParts split_spec(const std::string& text) {
  SpecParts parts;
  size_t start = 0;
  bool first = true;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (first) {
      parts.head = item;
      first = false;
    } else if (!item.empty()) {
      size_t eq = item.find('=');
      parts.options[item.substr(0, eq)] = eq == std::string::npos ? "" : item.substr(eq + 1);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return parts;
}

uint64_t option_size(const SpecParts& p, const std::string& key, uint64_t fallback) {
  auto it = p.options.find(key);
  return it == p.options.end() ? fallback : parse_size(it->second);
}

void only_known(const SpecParts& p, std::initializer_list<const char*> known, const std::string& spec) {
  for (const auto& [key, value] : p.options) {
    bool ok = false;
    for (const char* k : known) ok = ok || key == k;
    if (!ok) throw Error("unknown option '" + key + "' in '" + spec + "'");
  }
}

// SPEC: shm:/NAME[,size=N][,create][,ro] | file:PATH[,offset=N][,size=N][,create][,ro]
//       | memfd:size=N | anon:size=N | dev:PATH,offset=N,size=N[,ro] | fd:N[,offset=N][,size=N][,ro]
std::shared_ptr<Region> open_region(const std::string& name, const std::string& spec) {
  size_t colon = spec.find(':');
  if (colon == std::string::npos) throw Error("region spec '" + spec + "' needs a kind: shm:, file:, memfd:, anon:, dev: or fd:");
  std::string kind = spec.substr(0, colon);
  std::string rest = spec.substr(colon + 1);
  if (kind == "memfd" || kind == "anon") {
    SpecParts p = split_spec("," + rest);
    only_known(p, {"size"}, spec);
    uint64_t size = option_size(p, "size", 0);
    return kind == "memfd" ? Region::create_memfd(size, name) : Region::create_anonymous(size, name);
  }
  SpecParts p = split_spec(rest);
  bool ro = p.options.count("ro");
  bool create = p.options.count("create");
  if (kind == "shm") {
    only_known(p, {"size", "create", "ro"}, spec);
    uint64_t size = option_size(p, "size", 0);
    return create ? Region::create_shm(p.head, size) : Region::open_shm(p.head, size, !ro);
  }
  if (kind == "file") {
    only_known(p, {"size", "offset", "create", "ro"}, spec);
    return Region::open_file(p.head, option_size(p, "offset", 0), option_size(p, "size", 0), create, !ro);
  }
  if (kind == "fd") {  // a descriptor this process inherited (a launcher passing a dma-buf on)
    only_known(p, {"size", "offset", "ro"}, spec);
    int fd = static_cast<int>(parse_count("fd region '" + spec + "'", p.head, INT32_MAX));
    return Region::from_fd(fd, option_size(p, "offset", 0), option_size(p, "size", 0), !ro, name);
  }
  if (kind == "dev") {
    only_known(p, {"size", "offset", "ro"}, spec);
    if (!p.options.count("size") || !p.options.count("offset"))
      throw Error("device region '" + spec + "' needs offset=N and size=N");
    return Region::open_device(p.head, option_size(p, "offset", 0), option_size(p, "size", 0), !ro);
  }
  throw Error("unknown region kind '" + kind + "' in '" + spec + "'");
}

Access access_word(const std::string& word, const Region& r, const std::string& context) {
  if (word.empty()) return r.writable() ? Access::ReadWrite : Access::Read;
  if (word == "ro") return Access::Read;
  if (word == "rw") return Access::ReadWrite;
  throw Error("expected ro or rw in '" + context + "', got '" + word + "'");
}

// Decimal or 0x-hex. Like sizes, no sign: strtoull would read "-1" as 2^64-1.
uint64_t parse_address(const std::string& text) {
  bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const char* digits = text.c_str() + (hex ? 2 : 0);
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(digits, &end, hex ? 16 : 10);
  bool starts_with_digit = std::isxdigit(static_cast<unsigned char>(*digits)) != 0;
  if (text.empty() || !starts_with_digit || errno || *end)
    throw Error("bad address '" + text + "' (decimal or 0x-hex, not negative)");
  return v;
}

// "forever", or a number with a unit: ns, us, ms, s (e.g. 250ms, 5s).
std::chrono::nanoseconds parse_wait(const std::string& text, const std::string& context) {
  if (text == "forever") return kWaitForever;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  std::string unit(end ? end : "");
  uint64_t ns_per = unit == "ns" ? 1 : unit == "us" ? 1000 : unit == "ms" ? 1000000 : unit == "s" ? 1000000000 : 0;
  bool digits_first = !text.empty() && std::isdigit(static_cast<unsigned char>(text[0]));  // no sign
  if (!digits_first || errno || ns_per == 0 || v > INT64_MAX / ns_per)
    throw Error("bad wait '" + text + "' in '" + context + "' (e.g. wait=500ms, wait=5s, wait=forever)");
  return std::chrono::nanoseconds(static_cast<int64_t>(v * ns_per));
}

uint32_t parse_memory_index(const std::string& text, const std::string& context) {
  uint64_t index = parse_address(text);
  if (index > UINT32_MAX) throw Error(context + ": memory index " + text + " is too large");
  return static_cast<uint32_t>(index);
}

struct MapRequest {
  std::string region;
  uint64_t addr = 0, offset = 0, size = 0;
  uint32_t memory = 0;  // memory index in the module
  std::optional<std::string> access;
  WindowOptions options;
};

// exclusive | shared [, wait=DURATION]: an attached binding (docs/regions.md, "Attach modes").
void parse_attach(const SpecParts& p, const std::string& spec, MapRequest* req) {
  bool exclusive = p.options.count("exclusive"), shared = p.options.count("shared");
  if (exclusive && shared) throw Error("--map '" + spec + "': both exclusive and shared");
  if (exclusive) req->options.attach = Attach::Exclusive;
  if (shared) req->options.attach = Attach::Shared;
  auto wait = p.options.find("wait");
  if (wait != p.options.end()) {
    if (req->options.attach == Attach::None)
      throw Error("--map '" + spec + "': wait= needs exclusive or shared");
    req->options.wait = parse_wait(wait->second, spec);
  }
  const char* implied = exclusive ? "rw" : shared ? "ro" : nullptr;
  if (!implied) return;
  if (req->access && *req->access != implied)
    throw Error("--map '" + spec + "': an " + (exclusive ? "exclusive attachment writes (rw)"
                                                         : "shared attachment reads (ro)") +
                ", it cannot be " + *req->access);
  req->access = implied;
}

// NAME@ADDR[,offset=N][,size=N][,memory=N][,ro|,rw] and the `extra` keys (checked
// known here, parsed by the caller).
MapRequest parse_map_request(const std::string& m, std::initializer_list<const char*> extra) {
  size_t at = m.find('@');
  if (at == std::string::npos)
    throw Error("--map expects NAME@ADDR[,offset=N][,size=N][,memory=N][,ro|,rw][,exclusive|,shared][,wait=T], got '" + m + "'");
  SpecParts p = split_spec(m.substr(at + 1));
  std::vector<const char*> known{"offset", "size", "memory", "ro", "rw"};
  known.insert(known.end(), extra.begin(), extra.end());
  for (const auto& [key, value] : p.options)
    if (std::find_if(known.begin(), known.end(), [&](const char* k) { return key == k; }) == known.end())
      throw Error("unknown option '" + key + "' in '" + m + "'");
  MapRequest req;
  req.region = m.substr(0, at);
  if (req.region.empty()) throw Error("--map '" + m + "' names no region (NAME@ADDR)");
  req.addr = parse_address(p.head);
  req.offset = option_size(p, "offset", 0);
  req.size = option_size(p, "size", 0);
  if (p.options.count("memory")) req.memory = parse_memory_index(p.options.at("memory"), "--map '" + m + "'");
  if (p.options.count("ro") && p.options.count("rw")) throw Error("--map '" + m + "': both ro and rw");
  if (p.options.count("ro")) req.access = "ro";
  if (p.options.count("rw")) req.access = "rw";
  return req;
}

struct RunRegions {
  explicit RunRegions(uint32_t max_handles) : guest(max_handles) {}
  std::map<std::string, std::shared_ptr<Region>> regions;
  GuestRegions guest;
  std::vector<MapRequest> maps;
  std::vector<Binding> memories;            // --memory
  std::vector<ResolvedBinding> bindings;    // the module's aperture.bind section + --memory
};

std::shared_ptr<Region> lookup(RunRegions& rr, const std::string& name, const std::string& context) {
  auto it = rr.regions.find(name);
  if (it == rr.regions.end()) throw Error("'" + context + "' names region '" + name + "', which no --region defines");
  return it->second;
}

// Options of `aperture region ...`
struct RegionCommand {
  CLI::App* create = nullptr;
  CLI::App* info = nullptr;
  CLI::App* rm = nullptr;
  CLI::App* heap = nullptr;
  std::string name;
  std::string size;
  bool reset = false;
} g_region_command;

// --shared-heap NAME[,reclaim], once per heap: WAMR's shared_heap_malloc/free over the
// chain of the named regions in command-line order (one option: one heap at the top of the
// 4 GiB space), attached to memory 0 before the start function (docs/regions.md, "WAMR
// shared heap", "Chained heaps"); reclaim: that heap's blocks of the run go when it ends.
void install_shared_heaps(RunRegions& rr, const std::vector<std::string>& specs, RunHooks& hooks) {
  std::vector<std::shared_ptr<SharedHeap>> heaps;
  for (const std::string& spec : specs) {
    SpecParts p = split_spec(spec);
    for (const auto& [key, value] : p.options)
      if (key != "reclaim" && rr.regions.count(key))
        throw Error("--shared-heap '" + spec + "': one heap per option; to chain heaps, repeat it (--shared-heap " +
                    p.head + " --shared-heap " + key + ")");
    only_known(p, {"reclaim"}, spec);
    if (p.head.empty()) throw Error("--shared-heap '" + spec + "' names no region (NAME[,reclaim])");
    SharedHeapOptions options;
    options.reclaim = p.options.count("reclaim") != 0;
    heaps.push_back(SharedHeap::open(lookup(rr, p.head, "--shared-heap " + spec), options));
  }
  std::shared_ptr<SharedHeapChain> chain = SharedHeapChain::make(std::move(heaps));
  hooks.before_instantiate.push_back([chain](Store& store, Linker& linker) { chain->define_imports(store, linker); });
  hooks.after_instantiate.push_back([chain](Store&, Instance& inst) {
    Memory* mem = inst.memory(0);
    if (!mem) throw Error("--shared-heap needs a module with a memory");
    chain->attach(*mem);
  });
}

}  // namespace

Binding parse_memory_binding(const std::string& spec) {
  size_t eq = spec.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error("--memory expects N=NAME[,offset=N] (memory N is region NAME), got '" + spec + "'");
  SpecParts p = split_spec(spec.substr(eq + 1));
  only_known(p, {"offset", "extend"}, spec);
  Binding b;
  b.kind = Binding::Kind::Memory;
  b.memory = parse_memory_index(spec.substr(0, eq), "--memory '" + spec + "'");
  b.region = p.head;
  if (b.region.empty()) throw Error("--memory '" + spec + "' names no region (N=NAME)");
  b.offset = option_size(p, "offset", 0);
  if (p.options.count("extend")) b.growth = MemoryGrowth::ExtendRegion;
  return b;
}

Binding parse_map_binding(const std::string& spec) {
  MapRequest req = parse_map_request(spec, {});
  Binding b;
  b.region = req.region;
  b.memory = req.memory;
  b.offset = req.offset;
  b.size = req.size;
  b.addr = req.addr;
  b.access = req.access.value_or("rw") == "ro" ? Access::Read : Access::ReadWrite;
  return b;
}

void add_region_options(CLI::App& run, RegionOptions& o) {
  auto one_each = [](CLI::Option* opt) {
    opt->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  };
  one_each(run.add_option("--region", o.regions,
                          "define a region NAME=SPEC (shm:/N[,size=S][,create][,ro], "
                          "file:PATH[,offset=O][,size=S][,create][,ro], memfd:size=S, anon:size=S, "
                          "dev:PATH,offset=O,size=S[,ro], fd:N[,offset=O][,size=S][,ro] for an inherited descriptor)"));
  one_each(run.add_option("--grant", o.grants, "let the guest open region NAME[:ro|:rw] via region_open"));
  one_each(run.add_option("--map", o.maps,
                          "map a window NAME@ADDR[,offset=N][,size=N][,memory=N][,ro|,rw][,exclusive|,shared][,wait=T][,copy|,mapped] "
                          "into memory N (default 0) before start"));
  one_each(run.add_option("--memory", o.memories,
                          "back memory N (imported or defined) with region NAME: N=NAME[,offset=N][,extend] "
                          "(shared by every process that backs a memory with the region; extend: growth "
                          "extends the region's file instead of stopping at its end)"));
  one_each(run.add_option("--shared-heap", o.shared_heaps,
                          "serve WAMR's env.shared_heap_malloc/shared_heap_free from region NAME[,reclaim] (a --region; "
                          "shared by every process that names the same region), mapped at 4 GiB minus the heap's size; "
                          "repeat it to chain heaps (each next one mapped directly below the one before; malloc takes "
                          "the first with room); blocks are kept until freed, or with reclaim freed when the run ends "
                          "or its process dies"));
  run.add_option("--window-mode", o.window_mode,
                 "how windows show their regions: map (zero-copy, the default) or copy (copied in "
                 "when made, written back on sync/unmap/exit; docs/regions.md, \"Copy mode\")");
  run.add_option("--max-region-handles", o.max_handles,
                 "region handles the guest may hold open at once (default " +
                     std::to_string(GuestRegions::kDefaultMaxHandles) + "; region_open then returns -EMFILE)");
}

void install_region_hooks(const RegionOptions& o, RunHooks& hooks) {
  uint32_t max_handles = o.max_handles
                            ? static_cast<uint32_t>(parse_count("--max-region-handles", *o.max_handles, UINT32_MAX))
                            : GuestRegions::kDefaultMaxHandles;
  if (o.window_mode) {
    if (*o.window_mode == "copy") set_default_window_mode(WindowMode::Copy);
    else if (*o.window_mode == "map") set_default_window_mode(WindowMode::Map);
    else throw Error("--window-mode '" + *o.window_mode + "': use map or copy");
  }
  auto rr = std::make_shared<RunRegions>(max_handles);
  for (const std::string& def : o.regions) {
    size_t eq = def.find('=');
    if (eq == std::string::npos || eq == 0) throw Error("--region expects NAME=SPEC, got '" + def + "'");
    std::string name = def.substr(0, eq);
    if (rr->regions.count(name)) throw Error("region '" + name + "' is defined twice");
    rr->regions[name] = open_region(name, def.substr(eq + 1));
  }
  for (const std::string& g : o.grants) {
    size_t colon = g.find(':');
    std::string name = g.substr(0, colon);
    auto region = lookup(*rr, name, "--grant " + g);
    rr->guest.grant(name, region,
                    access_word(colon == std::string::npos ? "" : g.substr(colon + 1), *region, g));
  }
  for (const std::string& m : o.maps) {
    MapRequest req = parse_map_request(m, {"exclusive", "shared", "wait", "copy", "mapped"});
    lookup(*rr, req.region, "--map " + m);
    SpecParts p = split_spec(m.substr(m.find('@') + 1));
    parse_attach(p, m, &req);
    if (p.options.count("copy") && p.options.count("mapped")) throw Error("--map '" + m + "': both copy and mapped");
    if (p.options.count("copy")) req.options.mode = WindowMode::Copy;
    if (p.options.count("mapped")) req.options.mode = WindowMode::Map;
    rr->maps.push_back(req);
  }
  for (const std::string& m : o.memories) rr->memories.push_back(parse_memory_binding(m));
  hooks.before_instantiate.push_back([rr](Store& store, Linker& linker) { rr->guest.define_imports(store, linker); });
  // Declarative bindings (the module's aperture.bind section, then --memory, which
  // replaces the section's record for the same memory): every region is looked up before
  // anything is created; memories bound to a region are defined before linking (imported)
  // or handed to instantiation (defined), windows mapped before the start function.
  hooks.link_module.push_back([rr](const Module& module, Store& store, Linker& linker, MemoryBackings& defined) {
    std::vector<Binding> wanted;
    for (Binding& b : module_bindings(module)) {
      bool overridden = b.kind == Binding::Kind::Memory &&
                        std::any_of(rr->memories.begin(), rr->memories.end(),
                                    [&](const Binding& m) { return m.memory == b.memory; });
      if (!overridden) wanted.push_back(std::move(b));
    }
    wanted.insert(wanted.end(), rr->memories.begin(), rr->memories.end());
    rr->bindings = resolve_bindings(wanted, [rr](const std::string& name) -> std::shared_ptr<Region> {
      auto it = rr->regions.find(name);
      return it == rr->regions.end() ? nullptr : it->second;
    });
    define_bound_memories(module, rr->bindings, store, linker, &defined);
  });
  if (!o.shared_heaps.empty()) install_shared_heaps(*rr, o.shared_heaps, hooks);
  hooks.after_instantiate.push_back([rr](Store&, Instance& inst) {
    map_bound_windows(inst, rr->bindings);
    for (const MapRequest& req : rr->maps) {
      Memory* mem = inst.memory(req.memory);
      if (!mem)
        throw Error("--map " + req.region + "@...: the module has no memory " + std::to_string(req.memory) +
                    " (it has " + std::to_string(inst.memories_.size()) + ")");
      auto region = rr->regions.at(req.region);
      map_window(*mem, region, req.offset, req.size, req.addr,
                 access_word(req.access.value_or(""), *region, "--map " + req.region), req.options);
    }
  });
}

CLI::App* add_region_command(CLI::App& app) {
  CLI::App* region = app.add_subcommand("region", "Manage POSIX shared-memory regions");
  region->require_subcommand(1);
  RegionCommand& c = g_region_command;
  c.create = region->add_subcommand("create", "Create a shm region (mode 0600)");
  c.create->add_option("name", c.name, "/NAME")->required();
  c.create->add_option("--size", c.size, "size in bytes (K/M/G suffixes)")->required();
  c.info = region->add_subcommand("info", "Show a shm region's size");
  c.info->add_option("name", c.name, "/NAME")->required();
  c.rm = region->add_subcommand("rm", "Remove a shm region");
  c.rm->add_option("name", c.name, "/NAME")->required();
  c.heap = region->add_subcommand("heap", "Show what a shared heap (--shared-heap) in a shm region holds, by owner");
  c.heap->add_option("name", c.name, "/NAME")->required();
  c.heap->add_flag("--reset", c.reset, "free every block (refused while any process has the heap open)");
  return region;
}

int region_command_result() {
  RegionCommand& c = g_region_command;
  try {
    if (*c.create) {
      auto r = Region::create_shm(c.name, parse_size(c.size));
      std::cout << "created " << r->name() << " (" << r->size() << " bytes)\n";
    } else if (*c.info) {
      auto r = Region::open_shm(c.name, 0, false);
      std::cout << r->name() << ": " << r->size() << " bytes, page size " << host_page_size() << "\n";
    } else if (*c.heap) {
      return heap_command(c.name, c.reset);
    } else if (*c.rm) {
      Region::remove_shm(c.name);
      std::cout << "removed " << c.name << "\n";
    }
    return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "error: " << error_text(e) << "\n";
    return kExitError;
  }
}

}  // namespace aperture::cli
