// The `aperture` command line (docs/cli.md). Exit codes: exit_codes.h.
#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "aperture/region.h"
#include "cli/bind_command.h"
#include "cli/command_line.h"
#include "cli/compile_command.h"
#include "cli/file_util.h"
#include "cli/help_command.h"
#include "cli/inspect_command.h"
#include "cli/region_options.h"
#include "cli/run_command.h"

namespace cli = aperture::cli;

namespace {

// CLI11 parses a char* array; `words` are the arguments after the program name.
void parse(CLI::App& app, const char* program, const std::vector<std::string>& words) {
  std::vector<const char*> argv{program};
  for (const std::string& w : words) argv.push_back(w.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

int main(int argc, char** argv) {
  // A write past the file size limit (`ulimit -f`) fails with EFBIG instead of killing
  // the process with SIGXFSZ, so it is reported ("File too large") and cleaned up after
  // like any failed write (OutputFileTest.AFileSizeLimitIsAnErrorNotAKill).
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"Aperture: a WebAssembly runtime with zero-copy shared memory regions", "aperture"};
  app.footer("Run a module: aperture MODULE.wasm [ARGS...] (short for aperture run). "
             "More: aperture help COMMAND, aperture help exit-codes.");
  app.require_subcommand(0, 1);
  app.set_version_flag("-V,--version", "aperture 0.1.0");

  // `run` and its option groups, each from its own file (see run_command.h).
  cli::RunOptions run_options;
  CLI::App* run = cli::add_run_command(app, run_options);
  cli::RegionOptions region_options;
  cli::add_region_options(*run, region_options);

  cli::CompileOptions compile_options;
  CLI::App* compile = cli::add_compile_command(app, compile_options);

  std::string validate_path;
  CLI::App* validate = app.add_subcommand("validate", "Decode and validate a module");
  validate->add_option("module", validate_path, "the .wasm module (- reads standard input)")->required();

  std::string inspect_path;
  CLI::App* inspect = app.add_subcommand(
      "inspect", "Show a module's types, imports, exports, memories, tables, globals and custom sections");
  inspect->add_option("module", inspect_path, "the .wasm module (- reads standard input)")->required();

  CLI::App* region = cli::add_region_command(app);
  cli::BindOptions bind_options;
  CLI::App* bind = cli::add_bind_command(app, bind_options);
  cli::HelpOptions help_options;
  CLI::App* help = cli::add_help_command(app, help_options);

  try {
    std::vector<std::string> args = cli::route_command(app, {argv + 1, argv + argc});
    if (args.empty()) {
      std::cerr << cli::overview_help(app);
      return cli::kExitUsage;
    }
    if (args[0] == "run") {
      cli::RunArguments split = cli::split_run_arguments(*run, {args.begin() + 1, args.end()});
      args = {"run"};
      args.insert(args.end(), split.options.begin(), split.options.end());
      run_options.module_path = split.module;
      run_options.args = split.program;
    }
    parse(app, argv[0], args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::vector<CLI::App*> chosen = app.get_subcommands();
    std::string topic = chosen.empty() ? "" : " " + chosen[0]->get_name();
    std::cerr << "error: " << e.what() << " (see 'aperture help" << topic << "')\n";
    return cli::kExitUsage;
  } catch (const cli::UsageError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return cli::kExitUsage;
  }

  if (*run) {
    cli::RunHooks hooks;
    try {
      cli::finish_run_options(*run, run_options);
      cli::install_region_hooks(region_options, hooks);
    } catch (const aperture::RegionError& e) {
      // A well-formed request the system refused (no such shm object, misaligned window).
      std::cerr << "error: " << e.what() << "\n";
      return cli::kExitError;
    } catch (const std::exception& e) {
      std::cerr << "error: " << cli::error_text(e) << "\n";
      return cli::kExitUsage;
    }
    return cli::run_command(run_options, hooks);
  }
  if (*compile) return cli::compile_command(compile_options);
  if (*validate) return cli::validate_command(validate_path);
  if (*inspect) return cli::inspect_command(inspect_path);
  if (*bind) return cli::bind_command(bind_options);
  if (region && *region) return cli::region_command_result();
  if (*help) return cli::help_command(app, help_options);
  return cli::kExitUsage;
}
