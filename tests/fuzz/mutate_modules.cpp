// Robustness test: feeds deterministic (seeded) mutations of the spec suite's modules
// through compile (decode + validate + translate) and instantiation. Every variant must
// end in success or one of the engine's documented errors (DecodeError, ValidationError,
// LinkError, Trap, Error); anything else (a foreign exception, a crash, a sanitizer
// report) fails the test. The first offending variant is written to disk for replay.
//
//   mutate_modules SPEC_JSON_DIR [VARIANTS] [SEED]
//   mutate_modules --replay FILE.wasm
//
// Mutations: bit flips, byte rewrites, "interesting" bytes, truncations (anywhere and at
// section boundaries), insertions, erased runs, LEB128 edits (continuation bits, overlong
// and maximal encodings), section-length edits, opcode rewrites inside code bodies,
// dropped/duplicated sections, and splices from another module.
//
// Variants with a start section are compiled but not instantiated: a mutated start
// function may loop forever, and this test must stay fast (also under ASan).
#include <dirent.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <typeinfo>
#include <vector>

#include "aperture/memory.h"
#include "aperture/runtime.h"
#include "binary/module.h"
#include "engine_under_test.h"

namespace {

using Bytes = std::vector<uint8_t>;

std::vector<std::string> wasm_files(const std::string& root) {
  std::vector<std::string> out;
  DIR* top = opendir(root.c_str());
  if (!top) return out;
  while (dirent* d = readdir(top)) {
    std::string name = d->d_name;
    if (name[0] == '.' || name.rfind("simd_", 0) == 0) continue;
    std::string dir = root + "/" + name;
    DIR* sub = opendir(dir.c_str());
    if (!sub) continue;
    while (dirent* f = readdir(sub)) {
      std::string file = f->d_name;
      if (file.size() > 5 && file.substr(file.size() - 5) == ".wasm") out.push_back(dir + "/" + file);
    }
    closedir(sub);
  }
  closedir(top);
  std::sort(out.begin(), out.end());  // readdir order varies; the corpus must not
  return out;
}

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// One section of a (well-formed) module: where its size LEB and payload are.
struct Section {
  uint8_t id = 0;
  size_t start = 0;      // offset of the id byte
  size_t size_at = 0;    // offset of the size LEB
  size_t size_len = 0;   // bytes of the size LEB
  size_t payload = 0;    // offset of the payload
  size_t length = 0;     // payload bytes
  size_t end() const { return payload + length; }
};

std::optional<std::pair<uint64_t, size_t>> read_leb(const Bytes& b, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 10 && at + i < b.size(); ++i) {
    v |= static_cast<uint64_t>(b[at + i] & 0x7F) << (7 * i);
    if (!(b[at + i] & 0x80)) return std::make_pair(v, i + 1);
  }
  return std::nullopt;
}

std::vector<Section> sections(const Bytes& b) {
  std::vector<Section> out;
  size_t at = 8;  // magic + version
  while (at < b.size()) {
    Section s;
    s.id = b[at];
    s.start = at;
    s.size_at = at + 1;
    auto leb = read_leb(b, s.size_at);
    if (!leb) break;
    s.size_len = leb->second;
    s.payload = s.size_at + s.size_len;
    s.length = leb->first;
    if (s.end() > b.size()) break;
    out.push_back(s);
    at = s.end();
  }
  return out;
}

Bytes encode_leb(uint64_t v, size_t min_len = 0) {
  Bytes out;
  do {
    uint8_t byte = v & 0x7F;
    v >>= 7;
    if (v || out.size() + 1 < min_len) byte |= 0x80;
    out.push_back(byte);
  } while (v || out.size() < min_len);
  return out;
}

class Mutator {
 public:
  Mutator(const std::vector<Bytes>& corpus, uint64_t seed) : corpus_(corpus), rng_(seed) {}

  // One variant: a random corpus module with 1-3 edits. `base` receives its index.
  Bytes next(size_t* base) {
    *base = pick(corpus_.size());
    Bytes b = corpus_[*base];
    int edits = 1 + static_cast<int>(pick(8) == 0) + static_cast<int>(pick(16) == 0);
    for (int e = 0; e < edits && !b.empty(); ++e) edit(b);
    return b;
  }

 private:
  size_t pick(size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng_() % n); }
  uint8_t byte() { return static_cast<uint8_t>(rng_()); }
  static long pos(size_t i) { return static_cast<long>(i); }

  void edit(Bytes& b) {
    std::vector<Section> secs = sections(b);
    size_t at = pick(b.size());
    switch (pick(17)) {
      case 0: b[at] ^= static_cast<uint8_t>(1u << pick(8)); break;
      case 1: b[at] = byte(); break;
      case 2: interesting(b, at); break;
      case 3: truncate(b, secs); break;
      case 4: b.insert(b.begin() + pos(at), byte()); break;
      case 5: b.erase(b.begin() + pos(at), b.begin() + pos(std::min(b.size(), at + 1 + pick(8)))); break;
      case 6: leb_edit(b, at); break;
      case 7:
      case 8: section_length(b, secs); break;
      case 9:
      case 10:
      case 11:
      case 12:
      case 13:
      case 14: code_edit(b, secs); break;  // most likely to stay well-formed
      case 15: section_shuffle(b, secs); break;
      case 16: splice(b, at); break;
    }
  }

  void interesting(Bytes& b, size_t at) {
    static const uint8_t kValues[] = {0x00, 0x01, 0x7F, 0x80, 0xFF, 0x40, 0x0B, 0x10,
                                      0x11, 0x20, 0x41, 0x70, 0x6F, 0x7B, 0xFC, 0xFD, 0xFE};
    b[at] = kValues[pick(sizeof kValues)];
  }

  // Truncate anywhere, or just before/after a section boundary.
  void truncate(Bytes& b, const std::vector<Section>& secs) {
    size_t at = pick(b.size());
    if (!secs.empty() && pick(2)) {
      const Section& s = secs[pick(secs.size())];
      at = std::min(b.size(), (pick(2) ? s.payload : s.end()) + pick(2));
      if (at > 0 && pick(2)) --at;
    }
    b.resize(at);
  }

  // LEB128 boundaries: toggle a continuation bit, make a byte overlong (same value,
  // one more byte), or write a maximal 5-byte u32 / 10-byte u64.
  void leb_edit(Bytes& b, size_t at) {
    switch (pick(4)) {
      case 0: b[at] ^= 0x80; break;
      case 1:
        if (b[at] & 0x80) break;
        b[at] |= 0x80;
        b.insert(b.begin() + pos(at) + 1, 0x00);
        break;
      case 2: {
        static const uint8_t kMaxU32[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
        b.insert(b.begin() + pos(at), std::begin(kMaxU32), std::end(kMaxU32));
        break;
      }
      case 3: {
        Bytes too_long(10, 0x80);
        too_long.back() = 0x01;
        b.insert(b.begin() + pos(at), too_long.begin(), too_long.end());
        break;
      }
    }
  }

  // Rewrites a section's size: off by one, zero, huge, or the same value overlong.
  void section_length(Bytes& b, const std::vector<Section>& secs) {
    if (secs.empty()) return;
    const Section& s = secs[pick(secs.size())];
    uint64_t len = s.length;
    Bytes enc;
    switch (pick(5)) {
      case 0: enc = encode_leb(len + 1); break;
      case 1: enc = encode_leb(len == 0 ? 0 : len - 1); break;
      case 2: enc = encode_leb(0); break;
      case 3: enc = encode_leb(0xFFFFFFFFull); break;
      case 4: enc = encode_leb(len, 5); break;
    }
    b.erase(b.begin() + pos(s.size_at), b.begin() + pos(s.payload));
    b.insert(b.begin() + pos(s.size_at), enc.begin(), enc.end());
  }

  // Rewrites a byte inside the code section with a plausible opcode or a small immediate
  // (an index, a count, a block type), so that many variants still decode and reach the
  // validator, the translator and instantiation.
  void code_edit(Bytes& b, const std::vector<Section>& secs) {
    static const uint8_t kOpcodes[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x0B, 0x0C, 0x0D,
                                       0x0E, 0x0F, 0x10, 0x11, 0x1A, 0x1B, 0x1C, 0x20, 0x21,
                                       0x22, 0x23, 0x24, 0x25, 0x26, 0x28, 0x36, 0x3F, 0x40,
                                       0x41, 0x42, 0x43, 0x44, 0x45, 0x6A, 0xA7, 0xD0, 0xD1,
                                       0xD2, 0xFC, 0xFE};
    for (const Section& s : secs) {
      if (s.id != 10 || s.length == 0) continue;
      size_t at = s.payload + pick(s.length);
      switch (pick(3)) {
        case 0: b[at] = kOpcodes[pick(sizeof kOpcodes)]; break;
        case 1: b[at] = static_cast<uint8_t>(pick(4)); break;
        case 2: b[at] = byte(); break;
      }
      return;
    }
    b[pick(b.size())] = byte();  // no code section: plain byte rewrite
  }

  // Drops, duplicates or moves one whole section (ordering and duplicate rules).
  void section_shuffle(Bytes& b, const std::vector<Section>& secs) {
    if (secs.empty()) return;
    const Section& s = secs[pick(secs.size())];
    Bytes copy(b.begin() + pos(s.start), b.begin() + pos(s.end()));
    switch (pick(3)) {
      case 0: b.erase(b.begin() + pos(s.start), b.begin() + pos(s.end())); break;
      case 1: b.insert(b.begin() + pos(s.end()), copy.begin(), copy.end()); break;
      case 2:
        b.erase(b.begin() + pos(s.start), b.begin() + pos(s.end()));
        b.insert(b.begin() + pos(8 + pick(b.size() - 7)), copy.begin(), copy.end());
        break;
    }
  }

  // Overwrites a run with bytes from another module.
  void splice(Bytes& b, size_t at) {
    const Bytes& other = corpus_[pick(corpus_.size())];
    if (other.empty()) return;
    size_t from = pick(other.size());
    size_t n = std::min({other.size() - from, b.size() - at, 1 + pick(32)});
    std::copy_n(other.begin() + pos(from), n, b.begin() + pos(at));
  }

  const std::vector<Bytes>& corpus_;
  std::mt19937_64 rng_;
};

// Satisfies every import with a freshly made object of the declared type, so that
// instantiation (segments, limits, init expressions) runs for modules importing from
// anything, not only from `spectest`.
std::vector<aperture::Extern> dummy_imports(aperture::Store& store, const aperture::Module& m) {
  std::vector<aperture::Extern> out;
  for (const aperture::Import& imp : m.imports) {
    switch (imp.kind) {
      case aperture::ExternKind::Func: {
        const aperture::FuncType& t = m.types.at(imp.func_type);
        size_t results = t.results.size();
        out.push_back(aperture::Extern::func(store.create_host_function(
            t, [results](aperture::HostContext&, const uint64_t*, uint64_t* r) {
              std::fill_n(r, results, 0);
            })));
        break;
      }
      case aperture::ExternKind::Table:
        out.push_back(aperture::Extern::table(store.create_table(imp.table)));
        break;
      case aperture::ExternKind::Memory:
        out.push_back(aperture::Extern::memory(store.create_memory(imp.memory)));
        break;
      case aperture::ExternKind::Global:
        out.push_back(aperture::Extern::global(
            store.create_global(imp.global, aperture::Value{imp.global.type, 0})));
        break;
    }
  }
  return out;
}

aperture::EngineConfig g_engine;  // --engine

enum class Outcome { Instantiated, StartNotRun, Malformed, Invalid, LinkError, Trap, OtherError };

const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::Instantiated: return "instantiated";
    case Outcome::StartNotRun: return "compiled (start function not run)";
    case Outcome::Malformed: return "malformed";
    case Outcome::Invalid: return "invalid";
    case Outcome::LinkError: return "link error";
    case Outcome::Trap: return "trap";
    case Outcome::OtherError: return "other engine error";
  }
  return "?";
}

// Throws whatever the engine throws that is not one of its documented errors.
Outcome load(const Bytes& bytes) {
  try {
    auto compiled = aperture::compile(bytes, g_engine);
    const aperture::Module& m = aperture::module_of(*compiled);
    if (m.start) return Outcome::StartNotRun;
    aperture::Store store;  // per variant: each memory reserves 8 GiB of address space
    store.instantiate(compiled, dummy_imports(store, m));
    return Outcome::Instantiated;
  } catch (const aperture::DecodeError&) {
    return Outcome::Malformed;
  } catch (const aperture::ValidationError&) {
    return Outcome::Invalid;
  } catch (const aperture::LinkError&) {
    return Outcome::LinkError;
  } catch (const aperture::Trap&) {
    return Outcome::Trap;
  } catch (const aperture::Error&) {
    return Outcome::OtherError;  // e.g. a table larger than the implementation limit
  }
}

// Runs `bytes`; on an undocumented exception reports it and saves the variant.
bool check(const Bytes& bytes, const std::string& label, std::map<Outcome, long>& outcomes) {
  std::string what;
  try {
    ++outcomes[load(bytes)];
    return true;
  } catch (const std::exception& e) {
    what = std::string(typeid(e).name()) + ": " + e.what();
  } catch (...) {
    what = "a non-std exception";
  }
  std::string path = "mutate_modules_failure.wasm";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
  std::fprintf(stderr, "FAIL %s: undocumented exception %s (variant saved to %s)\n", label.c_str(),
               what.c_str(), path.c_str());
  return false;
}

int replay(const std::string& path) {
  std::map<Outcome, long> outcomes;
  if (!check(read_file(path), path, outcomes)) return 1;
  std::printf("%s: %s\n", path.c_str(), to_string(outcomes.begin()->first));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[1]) == "--engine") {
    if (!aperture::engine_from_name(argv[2])) {
      std::fprintf(stderr, "mutate_modules: unknown engine '%s'\n", argv[2]);
      return 2;
    }
    g_engine = aperture::testing_support::engine_config_named(argv[2]);
    argc -= 2;
    argv += 2;
  }
  if (argc == 3 && std::string(argv[1]) == "--replay") return replay(argv[2]);
  if (argc < 2) {
    std::fprintf(stderr, "usage: mutate_modules [--engine NAME] SPEC_JSON_DIR [VARIANTS] [SEED]\n"
                         "       mutate_modules [--engine NAME] --replay FILE.wasm\n");
    return 2;
  }
  std::string root = std::string(argv[1]) + "/core";
  long variants = argc > 2 ? std::stol(argv[2]) : 10000;
  uint64_t seed = argc > 3 ? std::stoull(argv[3]) : 20261124;
  std::vector<std::string> files = wasm_files(root);
  // The threads scripts add shared memories and every atomic instruction to the corpus.
  for (const auto& f : wasm_files(std::string(argv[1]) + "/threads")) files.push_back(f);

  // Well-formed modules only (valid or invalid): mutating them reaches the validator,
  // translator and instantiation, not only the decoder's first checks.
  std::vector<Bytes> corpus;
  for (const auto& f : files) {
    Bytes bytes = read_file(f);
    try {
      // Only well-formedness matters here; the interpreter decides it fastest.
      aperture::EngineConfig decode_only;
      decode_only.kind = aperture::EngineKind::Interpreter;
      aperture::compile(bytes, decode_only);
    } catch (const aperture::ValidationError&) {
    } catch (const aperture::Error&) {
      continue;
    }
    corpus.push_back(std::move(bytes));
  }
  if (corpus.empty()) {
    std::fprintf(stderr, "mutate_modules: no usable .wasm files under %s\n", root.c_str());
    return 2;
  }

  Mutator mutator(corpus, seed);
  std::map<Outcome, long> outcomes;
  for (long i = 0; i < variants; ++i) {
    size_t base = 0;
    Bytes bytes = mutator.next(&base);
    if (!check(bytes, "variant " + std::to_string(i) + " (seed " + std::to_string(seed) + ")", outcomes))
      return 1;
  }
  std::printf("engine %s: %ld variants of %zu modules (seed %llu):",
              aperture::engine_name(g_engine.kind), variants, corpus.size(),
              static_cast<unsigned long long>(seed));
  for (const auto& [outcome, n] : outcomes) std::printf(" %s %ld,", to_string(outcome), n);
  std::printf(" undocumented exceptions 0\n");
  return 0;
}
