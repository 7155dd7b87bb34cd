#include "compile/compile_target.h"

#include <algorithm>

#include "aperture/error.h"

namespace aperture::native {
namespace {

struct Feature {
  const char* name;
  const char* llvm;  // LLVM's subtarget feature
};

struct Machine {
  const char* name;
  const char* llvm_triple;
  const char* llvm_cpu;  // the baseline every CPU of the machine has
  const char* float_register_constraint;
  std::vector<Feature> features;
};

// Code for a target runs on every CPU of its machine that has the listed features.
const std::vector<Machine>& machines() {
  static const std::vector<Machine> table = {
      {"x86_64-linux-gnu", "x86_64-unknown-linux-gnu", "x86-64", "=x,0", {}},
      // Armv8.0-A; LSE atomics (Armv8.1, Cortex-A55/A76 and later) and RCpc loads
      // (Armv8.3) on request: a Cortex-A53/A72 (Raspberry Pi 3/4, i.MX 8) has neither.
      {"aarch64-linux-gnu", "aarch64-unknown-linux-gnu", "generic", "=w,0",
       {{"lse", "+lse"}, {"rcpc", "+rcpc"}}},
  };
  return table;
}

}  // namespace

std::string known_compile_targets() {
  std::string out;
  for (const Machine& m : machines()) {
    if (!out.empty()) out += ", ";
    out += m.name;
    for (const Feature& f : m.features) out += std::string("[+") + f.name + "]";
  }
  return out;
}

CompileTarget parse_compile_target(std::string_view text) {
  std::string_view machine_name = text.substr(0, text.find('+'));
  auto m = std::find_if(machines().begin(), machines().end(),
                        [&](const Machine& m) { return machine_name == m.name; });
  if (m == machines().end())
    throw Error("unknown compile target '" + std::string(text) + "'; the targets are " +
                known_compile_targets());
  CompileTarget t;
  t.machine = m->name;
  t.llvm_triple = m->llvm_triple;
  t.llvm_cpu = m->llvm_cpu;
  t.float_register_constraint = m->float_register_constraint;
  // Features in the table's order, each once, so one target has one name.
  std::vector<bool> wanted(m->features.size());
  std::string_view rest = text.substr(machine_name.size());
  while (!rest.empty()) {
    rest.remove_prefix(1);  // '+'
    std::string_view name = rest.substr(0, rest.find('+'));
    rest.remove_prefix(name.size());
    auto f = std::find_if(m->features.begin(), m->features.end(),
                          [&](const Feature& f) { return name == f.name; });
    if (f == m->features.end()) {
      std::string known;
      for (const Feature& k : m->features) known += std::string(known.empty() ? "" : ", ") + "+" + k.name;
      throw Error("unknown feature '+" + std::string(name) + "' of compile target " + m->name +
                  (known.empty() ? " (it has none)" : "; its features are " + known));
    }
    wanted[static_cast<size_t>(f - m->features.begin())] = true;
  }
  t.name = t.machine;
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (!wanted[i]) continue;
    t.name += std::string("+") + m->features[i].name;
    t.features.push_back(m->features[i].name);
    t.llvm_features += std::string(t.llvm_features.empty() ? "" : ",") + m->features[i].llvm;
  }
  return t;
}

}  // namespace aperture::native
