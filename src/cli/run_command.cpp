#include "cli/run_command.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "aperture/wasi.h"
#include "cli/file_util.h"
#include "cli/module_source.h"
#include "cli/thread_support.h"
#include "cli/value_text.h"
#include "binary/module.h"
#include "binary/printable_name.h"

namespace aperture::cli {
namespace {

int report_trap(const Trap& t, const std::string& note = "") {
  std::cerr << "trap: " << t.what() << note << "\n";
  if (!t.backtrace.empty()) {
    std::cerr << "wasm backtrace:\n";
    for (const std::string& frame : t.backtrace) std::cerr << "  " << frame << "\n";
  }
  return kExitTrap;
}

// "add, mix, run": what --invoke can call.
std::string exported_functions(const Instance& inst) {
  std::string out;
  for (const Export& e : inst.module().exports)
    if (e.kind == ExternKind::Func) out += (out.empty() ? "" : ", ") + printable_name(e.name);
  return out;
}

// Arguments are parsed before the call so that a typo is a usage error, not a trap.
std::vector<Value> invoke_arguments(const Instance& inst, const RunOptions& o) {
  Function* f = inst.exported_function(*o.invoke);
  if (f == nullptr) {
    std::string list = exported_functions(inst);
    throw UsageError("module has no exported function '" + *o.invoke + "'; " +
                     (list.empty() ? "it exports no functions" : "its exported functions are: " + list));
  }
  const FuncType& type = f->type();
  if (o.args.size() != type.params.size())
    throw UsageError("'" + *o.invoke + "' takes " + std::to_string(type.params.size()) +
                     " arguments " + type.to_string() + ", got " + std::to_string(o.args.size()));
  std::vector<Value> args;
  for (size_t i = 0; i < o.args.size(); ++i) args.push_back(parse_value(type.params[i], o.args[i]));
  return args;
}

// proc_exit(N): N itself when a shell can tell it from its own codes (exit_codes.h).
int program_status(int status) {
  if (status >= 0 && status <= kMaxProgramStatus) return status;
  std::cerr << "error: the program called proc_exit(" << static_cast<unsigned>(status)
            << "); exit statuses above " << kMaxProgramStatus
            << " cannot be passed on (shells read 126 and up as 'cannot execute', 'not found' "
               "and 'killed by a signal'), so aperture exits with "
            << kExitError << "\n";
  return kExitError;
}

// The exit status for a trap or proc_exit, after reporting it.
int trap_status(const Trap& t) {
  return t.exit_status() ? program_status(*t.exit_status()) : report_trap(t);
}

int invoke_export(Instance& inst, const RunOptions& o) {
  std::vector<Value> args = invoke_arguments(inst, o);
  for (const Value& v : inst.call(*o.invoke, args)) std::cout << format_value(v) << "\n";
  return kExitOk;
}

// A .wasm module, compiled by the chosen engine, or a precompiled artifact.
std::shared_ptr<const CompiledModule> load_module(const RunOptions& o) {
  EngineConfig engine = make_engine_config(o.engine);  // usage errors before reading
  std::vector<uint8_t> bytes = read_module(o.module_path, /*allow_artifact=*/true);
  apply_perf_map_option(o.engine);
  if (!is_artifact(bytes)) return compile(bytes, engine);
  if (!o.engine.allow_precompiled)
    throw UsageError(module_display_name(o.module_path) + " is a precompiled artifact: native code "
                     "that runs with your privileges, as trusted as a program. Pass "
                     "--allow-precompiled to run it");
  if (engine_chosen(o.engine) && engine.kind != EngineKind::Compiled)
    throw UsageError(module_display_name(o.module_path) + " is a precompiled artifact, which only "
                     "the compiled engine runs; run the .wasm module to use --engine " +
                     engine_name(engine.kind));
  return load_artifact(bytes);
}

int run_instance(const RunOptions& o, RunHooks& hooks, wasi::Config config,
                 const std::shared_ptr<const CompiledModule>& compiled) {
  Limits limits = make_limits(o.limits);
  Store store(limits.store);
  if (limits.fuel) store.set_fuel(*limits.fuel);
  Linker linker;
  // WASI imports are defined for --invoke too: library-style modules built for WASI
  // import them even when the called export does not use them.
  wasi::Context wasi(std::move(config));
  wasi.define_imports(store, linker);
  // wasi-threads: a trap or proc_exit in any thread ends the whole program at once.
  wasi::Threads threads([](const Trap& t) { end_program(trap_status(t)); });
  threads.define_imports(store, linker);
  for (auto& hook : hooks.before_instantiate) hook(store, linker);
  MemoryBackings defined_memories;  // region-backed memories the module defines
  for (auto& hook : hooks.link_module) hook(module_of(*compiled), store, linker, defined_memories);
  define_missing_shared_memories(module_of(*compiled), store, linker);
  // --timeout counts from here: instantiation (start function included) and the run.
  Watchdog watchdog(store.interrupt_handle(), limits.timeout);
  int status = kExitOk;
  try {
    Instance& inst = store.instantiate(compiled, linker, [&](Instance& created) {
      for (auto& hook : hooks.after_instantiate) hook(store, created);
    }, defined_memories);
    if (o.invoke) {
      status = invoke_export(inst, o);
    } else {
      if (!inst.exported_function("_start"))
        throw UsageError("module has no '_start' export (not a WASI command); call an export with --invoke NAME");
      status = program_status(wasi.run_start(store, inst));
    }
  } catch (const Trap& t) {
    if (t.exit_status()) {
      status = program_status(*t.exit_status());  // proc_exit(N)
    } else {
      bool timed_out = watchdog.fired() && std::string(t.what()) == trap_msg::kInterrupted;
      status = report_trap(t, timed_out ? " (--timeout " + *o.limits.timeout + " expired)" : "");
    }
  }
  // The main thread is done; threads still running end with the program, as in C.
  if (threads.running() != 0) end_program(status);
  return status;
}

int run_module(const RunOptions& o, RunHooks& hooks) {
  std::vector<std::string> argv{o.wasi.argv0.value_or(o.module_path)};
  argv.insert(argv.end(), o.args.begin(), o.args.end());
  wasi::Config config = make_wasi_config(o.wasi, std::move(argv));  // usage errors first
  std::shared_ptr<const CompiledModule> compiled = load_module(o);
  int status = run_instance(o, hooks, std::move(config), compiled);
  // The program is done and its store released (copy windows written back): a compile
  // the tiered engine has not finished is of no more use to this run.
  if (compiling_in_background(*compiled)) end_program(status);
  return status;
}

}  // namespace

CLI::App* add_run_command(CLI::App& app, RunOptions& o) {
  CLI::App* run = app.add_subcommand(
      "run", "Run a module: call an export (MODULE --invoke NAME ARGS...) or a WASI program's _start");
  // main.cpp splits MODULE and what follows off before CLI11 parses (command_line.h);
  // these two only describe them in the help.
  run->add_option("module", o.module_path,
                  "the .wasm module (- reads standard input), or a .cwasm artifact with --allow-precompiled");
  run->add_option("--invoke", o.invoke, "call this export with the ARGS and print each result");
  run->add_option("args", o.args, "program arguments (WASI) or --invoke NAME [ARGS...]");
  add_engine_options(*run, o.engine);
  add_limit_options(*run, o.limits);
  add_wasi_options(*run, o.wasi);
  return run;
}

void finish_run_options(CLI::App&, RunOptions& o) {
  if (o.module_path.empty())
    throw UsageError("missing MODULE: aperture run [OPTIONS] MODULE [ARGS...] (see 'aperture help run')");
  if (o.invoke || o.args.empty() || o.args[0] != "--invoke") return;
  if (o.args.size() < 2) throw UsageError("--invoke needs the name of an exported function");
  o.invoke = o.args[1];
  o.args.erase(o.args.begin(), o.args.begin() + 2);
}

int run_command(const RunOptions& o, RunHooks& hooks) {
  try {
    return run_module(o, hooks);
  } catch (const Trap& t) {
    if (t.exit_status()) return program_status(*t.exit_status());  // proc_exit(N)
    return report_trap(t);
  } catch (const UsageError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const OffsetError& e) {  // malformed or invalid
    std::cerr << "error: " << o.module_path << ": " << e.what() << "\n";
  } catch (const std::exception& e) {  // LinkError, other Error, resource exhaustion
    std::cerr << "error: " << error_text(e) << "\n";
  }
  return kExitError;
}

}  // namespace aperture::cli
