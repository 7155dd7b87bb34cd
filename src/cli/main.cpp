// The `aperture` command line.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/file_util.h"
#include "cli/inspect_command.h"
#include "cli/region_options.h"
#include "cli/run_command.h"

int main(int argc, char** argv) {
  CLI::App app{"Aperture: a WebAssembly runtime with zero-copy shared memory regions"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "aperture 0.1.0");

  aperture::cli::RunOptions run_options;
  CLI::App* run = aperture::cli::add_run_command(app, run_options);
  aperture::cli::RegionOptions region_options;
  aperture::cli::add_region_options(*run, region_options);

  std::string validate_path;
  CLI::App* validate = app.add_subcommand("validate", "Decode and validate a module");
  validate->add_option("module", validate_path, "the .wasm module")->required()->check(CLI::ExistingFile);

  std::string inspect_path;
  CLI::App* inspect = app.add_subcommand("inspect", "Show a module's imports, exports, memories and custom sections");
  inspect->add_option("module", inspect_path, "the .wasm module")->required()->check(CLI::ExistingFile);

  CLI::App* region = aperture::cli::add_region_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return aperture::cli::kExitUsage;
  }

  if (*run) {
    aperture::cli::RunHooks hooks;
    try {
      aperture::cli::finish_run_options(*run, run_options);
      aperture::cli::install_region_hooks(region_options, hooks);
    } catch (const std::exception& e) {
      std::cerr << "error: " << e.what() << "\n";
      return aperture::cli::kExitUsage;
    }
    return aperture::cli::run_command(run_options, hooks);
  }
  if (*validate) return aperture::cli::validate_command(validate_path);
  if (*inspect) return aperture::cli::inspect_command(inspect_path);
  if (region && *region) return aperture::cli::region_command_result();
  return aperture::cli::kExitUsage;
}
