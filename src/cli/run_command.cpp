#include "cli/run_command.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "aperture/wasi.h"
#include "binary/module.h"
#include "cli/file_util.h"
#include "cli/value_text.h"

namespace aperture::cli {
namespace {

int report_trap(const Trap& t) {
  std::cerr << "trap: " << t.what() << "\n";
  if (!t.backtrace.empty()) {
    std::cerr << "wasm backtrace:\n";
    for (const std::string& frame : t.backtrace) std::cerr << "  " << frame << "\n";
  }
  return kExitTrap;
}

int invoke_export(Store& store, Instance& inst, const RunOptions& o) {
  (void)store;
  Function* f = inst.exported_function(*o.invoke);
  if (f == nullptr) {
    std::cerr << "error: module has no exported function '" << *o.invoke << "'\n";
    return kExitError;
  }
  const FuncType& type = f->type();
  if (o.args.size() != type.params.size()) {
    std::cerr << "error: '" << *o.invoke << "' takes " << type.params.size()
              << " arguments " << type.to_string() << ", got " << o.args.size() << "\n";
    return kExitUsage;
  }
  std::vector<Value> args;
  for (size_t i = 0; i < o.args.size(); ++i) args.push_back(parse_value(type.params[i], o.args[i]));
  for (const Value& v : inst.call(*o.invoke, args)) std::cout << format_value(v) << "\n";
  return kExitOk;
}

wasi::Config wasi_config(const RunOptions& o) {
  wasi::Config cfg;
  cfg.args.push_back(o.module_path);
  cfg.args.insert(cfg.args.end(), o.args.begin(), o.args.end());
  for (const std::string& e : o.envs) {
    if (e.find('=') == std::string::npos) throw Error("--env expects KEY=VALUE, got '" + e + "'");
    cfg.env.push_back(e);
  }
  for (const std::string& d : o.dirs) {
    size_t sep = d.find("::");
    wasi::Preopen p;
    p.host_path = sep == std::string::npos ? d : d.substr(0, sep);
    p.guest_path = sep == std::string::npos ? d : d.substr(sep + 2);
    if (p.host_path.empty() || p.guest_path.empty())
      throw Error("--dir expects HOST[::GUEST], got '" + d + "'");
    cfg.preopens.push_back(p);
  }
  return cfg;
}

}  // namespace

CLI::App* add_run_command(CLI::App& app, RunOptions& o) {
  CLI::App* run = app.add_subcommand(
      "run", "Run a module: call an export (MODULE --invoke NAME ARGS...) or a WASI program's _start");
  run->add_option("module", o.module_path, "the .wasm module")->required()->check(CLI::ExistingFile);
  run->add_option("--invoke", o.invoke, "call this export with the ARGS and print each result");
  run->add_option("--dir", o.dirs, "preopen a host directory for WASI: HOST[::GUEST]")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  run->add_option("--env", o.envs, "set a WASI environment variable: KEY=VALUE")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  // Everything after MODULE belongs to the program (or to --invoke): see finish_run_options.
  run->prefix_command(true);
  return run;
}

void finish_run_options(CLI::App& run, RunOptions& o) {
  std::vector<std::string> rest = run.remaining();
  size_t i = 0;
  if (!o.invoke && !rest.empty() && rest[0] == "--invoke") {
    if (rest.size() < 2) throw Error("--invoke needs the name of an exported function");
    o.invoke = rest[1];
    i = 2;
  }
  o.args.assign(rest.begin() + static_cast<std::ptrdiff_t>(i), rest.end());
}

int run_command(const RunOptions& o, RunHooks& hooks) {
  try {
    auto compiled = compile(read_file(o.module_path));
    Store store;
    Linker linker;
    wasi::Context wasi(wasi_config(o));
    wasi.define_imports(store, linker);
    for (auto& hook : hooks.before_instantiate) hook(store, linker);
    Instance& inst = store.instantiate(compiled, linker, [&](Instance& created) {
      for (auto& hook : hooks.after_instantiate) hook(store, created);
    });
    if (o.invoke) return invoke_export(store, inst, o);
    return wasi.run_start(store, inst);
  } catch (const Trap& t) {
    if (t.exit_status()) return *t.exit_status();
    return report_trap(t);
  } catch (const DecodeError& e) {
    std::cerr << "error: " << o.module_path << ": " << e.what() << "\n";
  } catch (const ValidationError& e) {
    std::cerr << "error: " << o.module_path << ": " << e.what() << "\n";
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
  }
  return kExitError;
}

}  // namespace aperture::cli
