// Robustness test: feeds deterministic mutations of the spec suite's modules (bit flips,
// byte rewrites, truncations, insertions, LEB and section-length edits) through
// decode + validate + instantiate. Every variant must end in success or one of the
// engine's documented errors; anything else (a crash, a sanitizer report, a foreign
// exception) fails the test.
//
//   mutate_modules SPEC_JSON_DIR [VARIANTS] [SEED]
#include <dirent.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "aperture/memory.h"
#include "aperture/runtime.h"
#include "binary/module.h"

namespace {

std::vector<std::string> wasm_files(const std::string& root) {
  std::vector<std::string> out;
  DIR* top = opendir(root.c_str());
  if (!top) return out;
  while (dirent* d = readdir(top)) {
    std::string name = d->d_name;
    if (name[0] == '.' || name.rfind("simd_", 0) == 0) continue;
    std::string dir = root + "/" + name;
    if (DIR* sub = opendir(dir.c_str())) {
      while (dirent* f = readdir(sub)) {
        std::string file = f->d_name;
        if (file.size() > 5 && file.substr(file.size() - 5) == ".wasm") out.push_back(dir + "/" + file);
      }
      closedir(sub);
    }
  }
  closedir(top);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<uint8_t> mutate(std::vector<uint8_t> b, std::mt19937_64& rng) {
  if (b.empty()) return b;
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  int edits = (rng() % 4 == 0) ? 2 : 1;
  for (int e = 0; e < edits && !b.empty(); ++e) {
    size_t at = pick(b.size());
    switch (rng() % 7) {
      case 0: b[at] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;          // bit flip
      case 1: b[at] = static_cast<uint8_t>(rng()); break;                        // random byte
      case 2: b.resize(at); break;                                               // truncation
      case 3: b.insert(b.begin() + static_cast<long>(at), static_cast<uint8_t>(rng())); break;
      case 4: b[at] = static_cast<uint8_t>(b[at] | 0x80); break;                 // LEB continuation
      case 5: {                                                                  // interesting values
        static const uint8_t kInteresting[] = {0x00, 0x01, 0x7F, 0x80, 0xFF, 0x40, 0x0B, 0x10};
        b[at] = kInteresting[rng() % sizeof kInteresting];
        break;
      }
      case 6:                                                                    // erase a run
        b.erase(b.begin() + static_cast<long>(at),
                b.begin() + static_cast<long>(std::min(b.size(), at + 1 + pick(8))));
        break;
    }
  }
  return b;
}

// Satisfies every import with a freshly made object of the requested type.
std::vector<aperture::Extern> dummy_imports(aperture::Store& store, const aperture::Module& m) {
  std::vector<aperture::Extern> out;
  for (const aperture::Import& imp : m.imports) {
    switch (imp.kind) {
      case aperture::ExternKind::Func: {
        const aperture::FuncType& t = m.types.at(imp.func_type);
        size_t results = t.results.size();
        out.push_back(aperture::Extern::func(store.create_host_function(
            t, [results](aperture::HostContext&, const uint64_t*, uint64_t* r) {
              for (size_t i = 0; i < results; ++i) r[i] = 0;
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

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: mutate_modules SPEC_JSON_DIR [VARIANTS] [SEED]\n");
    return 2;
  }
  std::string root = std::string(argv[1]) + "/core";
  long variants = argc > 2 ? std::stol(argv[2]) : 10000;
  uint64_t seed = argc > 3 ? std::stoull(argv[3]) : 20261124;
  std::vector<std::string> files = wasm_files(root);
  if (files.empty()) {
    std::fprintf(stderr, "mutate_modules: no .wasm files under %s\n", root.c_str());
    return 2;
  }
  // Mutating valid modules reaches the validator and instantiation, not only the decoder.
  std::vector<std::vector<uint8_t>> corpus;
  for (const auto& f : files) {
    std::vector<uint8_t> bytes = read_file(f);
    try {
      aperture::compile(bytes);
      corpus.push_back(std::move(bytes));
    } catch (const aperture::Error&) {
    }
  }

  std::mt19937_64 rng(seed);
  long decoded_ok = 0, malformed = 0, invalid = 0, link_errors = 0, instantiated = 0, traps = 0,
       other_errors = 0, skipped_start = 0;
  for (long i = 0; i < variants; ++i) {
    std::vector<uint8_t> bytes = mutate(corpus[rng() % corpus.size()], rng);
    try {
      auto compiled = aperture::compile(bytes);
      ++decoded_ok;
      const aperture::Module& m = aperture::module_of(*compiled);
      // A start function could loop forever; such variants are compiled but not run.
      if (m.start) {
        ++skipped_start;
        continue;
      }
      aperture::Store store;
      store.instantiate(compiled, dummy_imports(store, m));
      ++instantiated;
    } catch (const aperture::DecodeError&) {
      ++malformed;
    } catch (const aperture::ValidationError&) {
      ++invalid;
    } catch (const aperture::LinkError&) {
      ++link_errors;
    } catch (const aperture::Trap&) {
      ++traps;
    } catch (const aperture::Error&) {
      ++other_errors;  // e.g. a table larger than the implementation limit
    }
  }
  std::printf("variants %ld from %zu modules (seed %llu): compiled %ld, instantiated %ld, "
              "malformed %ld, invalid %ld, link errors %ld, traps %ld, other engine errors %ld, "
              "start function not run %ld\n",
              variants, corpus.size(), static_cast<unsigned long long>(seed), decoded_ok,
              instantiated, malformed, invalid, link_errors, traps, other_errors, skipped_start);
  return 0;
}
