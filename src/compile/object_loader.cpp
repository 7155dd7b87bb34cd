#include "compile/object_loader.h"

#include <elf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <utility>

#include "aperture/error.h"
#include "target/target.h"

namespace aperture::native {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw Error("cannot load compiled code: " + what);
}

uint64_t align_up(uint64_t v, uint64_t a) { return a <= 1 ? v : (v + a - 1) / a * a; }

// Library functions LLVM may emit calls to (loop idioms, rounding without SSE4.1).
void* external_symbol(const std::string& name) {
  static const std::map<std::string, void*> table = {
      {"memcpy", reinterpret_cast<void*>(static_cast<void* (*)(void*, const void*, size_t)>(&std::memcpy))},
      {"memmove", reinterpret_cast<void*>(static_cast<void* (*)(void*, const void*, size_t)>(&std::memmove))},
      {"memset", reinterpret_cast<void*>(static_cast<void* (*)(void*, int, size_t)>(&std::memset))},
      {"floor", reinterpret_cast<void*>(static_cast<double (*)(double)>(&::floor))},
      {"floorf", reinterpret_cast<void*>(static_cast<float (*)(float)>(&::floorf))},
      {"ceil", reinterpret_cast<void*>(static_cast<double (*)(double)>(&::ceil))},
      {"ceilf", reinterpret_cast<void*>(static_cast<float (*)(float)>(&::ceilf))},
      {"trunc", reinterpret_cast<void*>(static_cast<double (*)(double)>(&::trunc))},
      {"truncf", reinterpret_cast<void*>(static_cast<float (*)(float)>(&::truncf))},
      {"roundeven", reinterpret_cast<void*>(static_cast<double (*)(double)>(&::roundeven))},
      {"roundevenf", reinterpret_cast<void*>(static_cast<float (*)(float)>(&::roundevenf))},
      {"nearbyint", reinterpret_cast<void*>(static_cast<double (*)(double)>(&::nearbyint))},
      {"nearbyintf", reinterpret_cast<void*>(static_cast<float (*)(float)>(&::nearbyintf))},
      {"rint", reinterpret_cast<void*>(static_cast<double (*)(double)>(&::rint))},
      {"rintf", reinterpret_cast<void*>(static_cast<float (*)(float)>(&::rintf))},
      {"sqrt", reinterpret_cast<void*>(static_cast<double (*)(double)>(&::sqrt))},
      {"sqrtf", reinterpret_cast<void*>(static_cast<float (*)(float)>(&::sqrtf))},
      {"fmin", reinterpret_cast<void*>(static_cast<double (*)(double, double)>(&::fmin))},
      {"fminf", reinterpret_cast<void*>(static_cast<float (*)(float, float)>(&::fminf))},
      {"fmax", reinterpret_cast<void*>(static_cast<double (*)(double, double)>(&::fmax))},
      {"fmaxf", reinterpret_cast<void*>(static_cast<float (*)(float, float)>(&::fmaxf))},
  };
  auto it = table.find(name);
  return it == table.end() ? nullptr : it->second;
}

// A bounds-checked view of one ELF object.
class ElfObject {
 public:
  explicit ElfObject(std::span<const uint8_t> bytes) : bytes_(bytes) {
    if (bytes.size() < sizeof(Elf64_Ehdr)) fail("object too small");
    std::memcpy(&header_, bytes.data(), sizeof header_);
    if (std::memcmp(header_.e_ident, ELFMAG, SELFMAG) != 0) fail("not an ELF object");
    if (header_.e_ident[EI_CLASS] != ELFCLASS64 || header_.e_ident[EI_DATA] != ELFDATA2LSB ||
        header_.e_type != ET_REL)
      fail("not a 64-bit little-endian relocatable object");
    if (header_.e_machine != target::kElfMachine)
      fail("an object for another machine (ELF machine " + std::to_string(header_.e_machine) +
           ", this runtime runs " + target::host_target_name() + " code)");
    if (header_.e_shentsize != sizeof(Elf64_Shdr)) fail("unexpected section header size");
    check(header_.e_shoff, uint64_t{header_.e_shnum} * sizeof(Elf64_Shdr));
    sections_.resize(header_.e_shnum);
    for (size_t i = 0; i < sections_.size(); ++i) {
      std::memcpy(&sections_[i], bytes.data() + header_.e_shoff + i * sizeof(Elf64_Shdr),
                  sizeof(Elf64_Shdr));
      const Elf64_Shdr& s = sections_[i];
      if (s.sh_type != SHT_NOBITS) check(s.sh_offset, s.sh_size);
    }
    if (header_.e_shstrndx >= sections_.size()) fail("bad section name table");
  }

  const std::vector<Elf64_Shdr>& sections() const { return sections_; }

  std::string section_name(const Elf64_Shdr& s) const {
    return string_at(sections_[header_.e_shstrndx], s.sh_name);
  }
  std::string string_at(const Elf64_Shdr& table, uint64_t offset) const {
    if (offset >= table.sh_size) fail("bad string offset");
    const char* begin = reinterpret_cast<const char*>(bytes_.data() + table.sh_offset + offset);
    size_t max = table.sh_size - offset;
    size_t len = strnlen(begin, max);
    if (len == max) fail("unterminated string");
    return std::string(begin, len);
  }
  const uint8_t* data(const Elf64_Shdr& s) const { return bytes_.data() + s.sh_offset; }

  template <typename T>
  std::vector<T> entries(const Elf64_Shdr& s) const {
    if (s.sh_entsize != sizeof(T) || s.sh_size % sizeof(T) != 0) fail("bad table entry size");
    std::vector<T> out(s.sh_size / sizeof(T));
    if (!out.empty()) std::memcpy(out.data(), data(s), s.sh_size);
    return out;
  }

 private:
  void check(uint64_t offset, uint64_t size) const {
    if (offset > bytes_.size() || size > bytes_.size() - offset) fail("truncated object");
  }

  std::span<const uint8_t> bytes_;
  Elf64_Ehdr header_;
  std::vector<Elf64_Shdr> sections_;
};

bool is_loaded(const ElfObject& obj, const Elf64_Shdr& s) {
  if (!(s.sh_flags & SHF_ALLOC) || s.sh_size == 0) return false;
  if (obj.section_name(s) == ".eh_frame") return false;  // compiled code is never unwound by C++
  // Generated code has no mutable data; all of it is mapped read-only.
  if (s.sh_flags & SHF_WRITE) fail("writable section " + obj.section_name(s));
  return true;
}

// Where each loaded section of each object goes, relative to the mapping.
struct Layout {
  std::vector<std::vector<uint64_t>> section_offset;  // [object][section], ~0 if not loaded
  uint64_t code_size = 0;   // executable sections, then stubs
  uint64_t data_offset = 0; // read-only and writable data, then the GOT
  uint64_t total = 0;
};

constexpr uint64_t kNotLoaded = ~0ull;
constexpr uint64_t kStubSize = target::kStubSize;

}  // namespace

LoadedCode::~LoadedCode() { release(); }

LoadedCode::LoadedCode(LoadedCode&& other) noexcept { *this = std::move(other); }

LoadedCode& LoadedCode::operator=(LoadedCode&& other) noexcept {
  if (this == &other) return *this;
  release();
  mapping_ = std::exchange(other.mapping_, nullptr);
  mapping_size_ = std::exchange(other.mapping_size_, 0);
  code_begin_ = std::exchange(other.code_begin_, 0);
  code_end_ = std::exchange(other.code_end_, 0);
  symbols_ = std::move(other.symbols_);
  return *this;
}

void LoadedCode::release() {
  if (mapping_ != nullptr) munmap(mapping_, mapping_size_);
  mapping_ = nullptr;
}

LoadedCode load_objects(std::span<const std::span<const uint8_t>> inputs) {
  std::vector<ElfObject> objects;
  for (std::span<const uint8_t> bytes : inputs) objects.emplace_back(bytes);

  // Pass 1: layout. Executable sections first, data after a page boundary.
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  Layout layout;
  layout.section_offset.resize(objects.size());
  uint64_t cursor = 0;
  for (int want_exec = 1; want_exec >= 0; --want_exec) {
    if (!want_exec) {
      layout.code_size = cursor;
      cursor = align_up(cursor, page);
      layout.data_offset = cursor;
    }
    for (size_t o = 0; o < objects.size(); ++o) {
      const auto& secs = objects[o].sections();
      layout.section_offset[o].resize(secs.size(), kNotLoaded);
      for (size_t i = 0; i < secs.size(); ++i) {
        const Elf64_Shdr& s = secs[i];
        if (!is_loaded(objects[o], s) || bool(s.sh_flags & SHF_EXECINSTR) != bool(want_exec)) continue;
        if (s.sh_addralign > page) fail("section alignment too large");
        cursor = align_up(cursor, s.sh_addralign);
        layout.section_offset[o][i] = cursor;
        cursor += s.sh_size;
      }
    }
  }
  uint64_t data_end = cursor;

  // Symbols: global definitions across objects, then externals (stub + GOT slot each).
  struct ObjSymbol {
    std::string name;
    uint64_t address_offset = 0;  // relative to the mapping, when defined here
    bool defined = false;
    bool undefined = false;  // SHN_UNDEF: resolved against the other objects or externals
    bool external = false;
    size_t external_index = 0;
  };
  std::map<std::string, std::pair<uint64_t, uint64_t>> globals;  // name -> (offset, size)
  std::vector<std::vector<ObjSymbol>> symbols(objects.size());
  std::vector<std::string> externals;
  std::map<std::string, size_t> external_index;
  for (size_t o = 0; o < objects.size(); ++o) {
    for (const Elf64_Shdr& s : objects[o].sections()) {
      if (s.sh_type != SHT_SYMTAB) continue;
      if (s.sh_link >= objects[o].sections().size()) fail("bad symbol string table");
      const Elf64_Shdr& strtab = objects[o].sections()[s.sh_link];
      for (const Elf64_Sym& sym : objects[o].entries<Elf64_Sym>(s)) {
        ObjSymbol out;
        out.name = sym.st_name ? objects[o].string_at(strtab, sym.st_name) : "";
        if (sym.st_shndx != SHN_UNDEF && sym.st_shndx < layout.section_offset[o].size()) {
          uint64_t base = layout.section_offset[o][sym.st_shndx];
          if (base != kNotLoaded) {
            out.defined = true;
            out.address_offset = base + sym.st_value;
            if (ELF64_ST_BIND(sym.st_info) == STB_GLOBAL && !out.name.empty())
              globals[out.name] = {out.address_offset, sym.st_size};
          }
        } else if (sym.st_shndx == SHN_UNDEF) {
          out.undefined = !out.name.empty();
        } else if (sym.st_shndx == SHN_COMMON) {
          fail("common symbol " + out.name);
        }
        symbols[o].push_back(std::move(out));
      }
    }
  }
  for (auto& object_symbols : symbols) {
    for (ObjSymbol& sym : object_symbols) {
      if (!sym.undefined) continue;
      auto g = globals.find(sym.name);
      if (g != globals.end()) {
        sym.defined = true;
        sym.address_offset = g->second.first;
        continue;
      }
      if (external_symbol(sym.name) == nullptr) fail("undefined symbol " + sym.name);
      auto [it, inserted] = external_index.emplace(sym.name, externals.size());
      if (inserted) externals.push_back(sym.name);
      sym.external = true;
      sym.external_index = it->second;
    }
  }

  // Stubs go at the end of the code part (it ends before the data's page boundary; if
  // there is no room, code and data move apart by a page).
  uint64_t stubs_offset = align_up(layout.code_size, kStubSize);
  uint64_t code_end = stubs_offset + externals.size() * kStubSize;
  uint64_t shift = code_end > layout.data_offset ? align_up(code_end - layout.data_offset, page) : 0;
  if (shift != 0) {
    for (auto& offsets : layout.section_offset)
      for (uint64_t& off : offsets)
        if (off != kNotLoaded && off >= layout.data_offset) off += shift;
    for (auto& object_symbols : symbols)
      for (ObjSymbol& sym : object_symbols)
        if (sym.defined && sym.address_offset >= layout.data_offset) sym.address_offset += shift;
    for (auto& [name, g] : globals)
      if (g.first >= layout.data_offset) g.first += shift;
    layout.data_offset += shift;
    data_end += shift;
  }
  uint64_t got_offset = align_up(data_end, 8);
  layout.total = align_up(got_offset + externals.size() * 8, page);
  if (layout.total == 0) layout.total = page;

  void* m = mmap(nullptr, layout.total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) fail("out of memory for code");
  LoadedCode code;
  code.mapping_ = static_cast<uint8_t*>(m);
  code.mapping_size_ = layout.total;
  uint8_t* base = code.mapping_;
  auto address = [&](uint64_t offset) { return reinterpret_cast<uintptr_t>(base) + offset; };

  // Pass 2: copy sections, write stubs and the GOT.
  for (size_t o = 0; o < objects.size(); ++o) {
    const auto& secs = objects[o].sections();
    for (size_t i = 0; i < secs.size(); ++i) {
      uint64_t off = layout.section_offset[o][i];
      if (off == kNotLoaded || secs[i].sh_type == SHT_NOBITS) continue;
      std::memcpy(base + off, objects[o].data(secs[i]), secs[i].sh_size);
    }
  }
  for (size_t e = 0; e < externals.size(); ++e) {
    uint64_t function = reinterpret_cast<uint64_t>(external_symbol(externals[e]));
    target::write_stub(base + stubs_offset + e * kStubSize, function);
    std::memcpy(base + got_offset + e * 8, &function, 8);
  }

  // Pass 3: relocations.
  for (size_t o = 0; o < objects.size(); ++o) {
    const auto& secs = objects[o].sections();
    for (const Elf64_Shdr& rs : secs) {
      if (rs.sh_type == SHT_REL) fail("REL relocations are not supported");
      if (rs.sh_type != SHT_RELA) continue;
      if (rs.sh_info >= secs.size()) fail("bad relocation target");
      uint64_t target_off = layout.section_offset[o][rs.sh_info];
      if (target_off == kNotLoaded) continue;  // e.g. .rela.eh_frame
      const Elf64_Shdr& patched = secs[rs.sh_info];
      for (const Elf64_Rela& r : objects[o].entries<Elf64_Rela>(rs)) {
        uint32_t type = ELF64_R_TYPE(r.r_info);
        uint32_t sym_index = ELF64_R_SYM(r.r_info);
        if (sym_index >= symbols[o].size()) fail("bad relocation symbol");
        const ObjSymbol& sym = symbols[o][sym_index];
        uint64_t width = target::relocation_width(type);
        if (width == 0) fail("unsupported relocation type " + std::to_string(type));
        if (r.r_offset > patched.sh_size || width > patched.sh_size - r.r_offset)
          fail("relocation outside its section");
        target::RelocationSite site;
        site.type = type;
        site.where = base + target_off + r.r_offset;
        site.P = address(target_off + r.r_offset);
        site.A = r.r_addend;
        if (sym.external) {
          site.S = target::relocation_calls(type)
                       ? address(stubs_offset + sym.external_index * kStubSize)
                       : reinterpret_cast<uint64_t>(external_symbol(sym.name));
          site.G = address(got_offset + sym.external_index * 8);
        } else if (sym.defined) {
          site.S = address(sym.address_offset);
        } else {
          fail("relocation against unresolved symbol");
        }
        if (std::string error = target::apply_relocation(site); !error.empty()) fail(error);
      }
    }
  }

  for (const auto& [name, g] : globals) code.symbols_[name] = {address(g.first), g.second};
  code.code_begin_ = address(0);
  code.code_end_ = address(code_end);
  // Code becomes read+execute, data read-only: nothing is writable and executable.
  uint64_t code_pages = align_up(code_end, page);
  target::flush_instruction_cache(base, code_end);
  if (code_pages != 0 && mprotect(base, code_pages, PROT_READ | PROT_EXEC) != 0)
    fail("cannot make code executable");
  if (layout.total > code_pages && mprotect(base + code_pages, layout.total - code_pages, PROT_READ) != 0)
    fail("cannot protect data");
  return code;
}

}  // namespace aperture::native
