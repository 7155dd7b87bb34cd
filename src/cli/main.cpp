// The `aperture` command line (docs/cli.md). Exit codes: file_util.h.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/file_util.h"
#include "cli/inspect_command.h"
#include "cli/region_options.h"
#include "cli/run_command.h"

namespace cli = aperture::cli;

int main(int argc, char** argv) {
  CLI::App app{"Aperture: a WebAssembly runtime with zero-copy shared memory regions"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "aperture 0.1.0");

  // `run` and its option groups, each from its own file (see run_command.h).
  cli::RunOptions run_options;
  CLI::App* run = cli::add_run_command(app, run_options);
  cli::RegionOptions region_options;
  cli::add_region_options(*run, region_options);

  std::string validate_path;
  CLI::App* validate = app.add_subcommand("validate", "Decode and validate a module");
  validate->add_option("module", validate_path, "the .wasm module")->required()->check(CLI::ExistingFile);

  std::string inspect_path;
  CLI::App* inspect = app.add_subcommand(
      "inspect", "Show a module's types, imports, exports, memories, tables, globals and custom sections");
  inspect->add_option("module", inspect_path, "the .wasm module")->required()->check(CLI::ExistingFile);

  CLI::App* region = cli::add_region_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message
    return cli::kExitUsage;
  }

  if (*run) {
    cli::RunHooks hooks;
    try {
      cli::finish_run_options(*run, run_options);
      cli::install_region_hooks(region_options, hooks);
    } catch (const std::exception& e) {
      std::cerr << "error: " << e.what() << "\n";
      return cli::kExitUsage;
    }
    return cli::run_command(run_options, hooks);
  }
  if (*validate) return cli::validate_command(validate_path);
  if (*inspect) return cli::inspect_command(inspect_path);
  if (region && *region) return cli::region_command_result();
  return cli::kExitUsage;
}
