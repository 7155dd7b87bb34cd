#include "cli/run_command.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "aperture/wasi.h"
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

// Arguments are parsed before the call so that a typo is a usage error, not a trap.
std::vector<Value> invoke_arguments(const Instance& inst, const RunOptions& o) {
  Function* f = inst.exported_function(*o.invoke);
  if (f == nullptr) throw UsageError("module has no exported function '" + *o.invoke + "'");
  const FuncType& type = f->type();
  if (o.args.size() != type.params.size())
    throw UsageError("'" + *o.invoke + "' takes " + std::to_string(type.params.size()) +
                     " arguments " + type.to_string() + ", got " + std::to_string(o.args.size()));
  std::vector<Value> args;
  for (size_t i = 0; i < o.args.size(); ++i) args.push_back(parse_value(type.params[i], o.args[i]));
  return args;
}

int invoke_export(Instance& inst, const RunOptions& o) {
  std::vector<Value> args = invoke_arguments(inst, o);
  for (const Value& v : inst.call(*o.invoke, args)) std::cout << format_value(v) << "\n";
  return kExitOk;
}

int run_module(const RunOptions& o, RunHooks& hooks) {
  std::vector<std::string> argv{o.module_path};
  argv.insert(argv.end(), o.args.begin(), o.args.end());
  wasi::Config config = make_wasi_config(o.wasi, std::move(argv));  // usage errors first
  EngineConfig engine = make_engine_config(o.engine);
  auto compiled = compile(read_file(o.module_path), engine);
  Store store;
  Linker linker;
  // WASI imports are defined for --invoke too: library-style modules built for WASI
  // import them even when the called export does not use them.
  wasi::Context wasi(std::move(config));
  wasi.define_imports(store, linker);
  for (auto& hook : hooks.before_instantiate) hook(store, linker);
  Instance& inst = store.instantiate(compiled, linker, [&](Instance& created) {
    for (auto& hook : hooks.after_instantiate) hook(store, created);
  });
  if (o.invoke) return invoke_export(inst, o);
  if (!inst.exported_function("_start"))
    throw UsageError("module has no '_start' export (not a WASI command); call an export with --invoke NAME");
  return wasi.run_start(store, inst);
}

}  // namespace

CLI::App* add_run_command(CLI::App& app, RunOptions& o) {
  CLI::App* run = app.add_subcommand(
      "run", "Run a module: call an export (MODULE --invoke NAME ARGS...) or a WASI program's _start");
  run->add_option("module", o.module_path, "the .wasm module")->required()->check(CLI::ExistingFile);
  run->add_option("--invoke", o.invoke, "call this export with the ARGS and print each result");
  // Everything after MODULE belongs to the program (or to --invoke): positionals_at_end
  // makes CLI11 stop option parsing at MODULE. finish_run_options picks up `--invoke`.
  run->add_option("args", o.args, "program arguments (WASI) or --invoke NAME [ARGS...]");
  run->positionals_at_end(true);
  add_engine_options(*run, o.engine);
  add_wasi_options(*run, o.wasi);
  return run;
}

void finish_run_options(CLI::App&, RunOptions& o) {
  if (o.invoke || o.args.empty() || o.args[0] != "--invoke") return;
  if (o.args.size() < 2) throw UsageError("--invoke needs the name of an exported function");
  o.invoke = o.args[1];
  o.args.erase(o.args.begin(), o.args.begin() + 2);
}

int run_command(const RunOptions& o, RunHooks& hooks) {
  try {
    return run_module(o, hooks);
  } catch (const Trap& t) {
    if (t.exit_status()) return *t.exit_status();  // proc_exit(N)
    return report_trap(t);
  } catch (const UsageError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const DecodeError& e) {
    std::cerr << "error: " << o.module_path << ": " << e.what() << "\n";
  } catch (const ValidationError& e) {
    std::cerr << "error: " << o.module_path << ": " << e.what() << "\n";
  } catch (const std::exception& e) {  // LinkError, other Error, resource exhaustion
    std::cerr << "error: " << e.what() << "\n";
  }
  return kExitError;
}

}  // namespace aperture::cli
