#include "cli/compile_command.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "aperture/engine.h"
#include "cli/engine_options.h"
#include "cli/file_util.h"
#include "cli/module_source.h"
#include "cli/output_file.h"

namespace aperture::cli {

CLI::App* add_compile_command(CLI::App& app, CompileOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "compile",
      "Compile a module ahead of time for this CPU, or for another machine with --target (run it "
      "with `run --allow-precompiled`)");
  cmd->add_option("module", o.module_path, "the .wasm module (- reads standard input)")->required();
  cmd->add_option("-o,--output", o.output_path, "the artifact to write (e.g. module.cwasm)")->required();
  add_opt_level_option(*cmd, o.opt_level);
  cmd->add_option("--target", o.target,
                  "compile for any CPU of this machine, with these optional features, instead of "
                  "for this CPU: x86_64-linux-gnu, aarch64-linux-gnu[+lse][+rcpc] (e.g. "
                  "aarch64-linux-gnu+lse for a Cortex-A55/A76; plain aarch64-linux-gnu runs on "
                  "every 64-bit Arm board)")
      ->option_text("MACHINE[+FEATURE...]");
  return cmd;
}

int compile_command(const CompileOptions& o) {
  try {
    EngineConfig config;
    config.kind = EngineKind::Compiled;
    config.opt_level = o.opt_level;
    config.target = o.target;
    write_output_file(o.output_path, compile_to_artifact(read_module(o.module_path), config));
    return kExitOk;
  } catch (const DecodeError& e) {
    std::cerr << "error: " << module_display_name(o.module_path) << ": " << e.what() << "\n";
  } catch (const ValidationError& e) {
    std::cerr << "error: " << module_display_name(o.module_path) << ": " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "error: " << error_text(e) << "\n";
  }
  return kExitError;
}

}  // namespace aperture::cli
