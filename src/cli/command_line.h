// What the `aperture` command does with its arguments before and around CLI11:
//   - `aperture M.wasm ARGS` and `aperture --OPTION ... M.wasm` mean `aperture run ...`;
//   - an unknown command is named, with the list of commands;
//   - `run`'s options end at MODULE (or at `--`): everything after it belongs to the
//     program, and an unknown option before it is an error that names it, never taken
//     for the module.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace aperture::cli {

// The arguments after the program name with an implicit `run` made explicit. Throws
// UsageError for an unknown command.
std::vector<std::string> route_command(const CLI::App& app, std::vector<std::string> args);

struct RunArguments {
  std::vector<std::string> options;  // `run`'s own options, for CLI11
  std::string module;                // empty when missing
  std::vector<std::string> program;  // after MODULE: the program's argv[1..] or --invoke ...
};

// Splits the arguments of `run` (after the word "run"). Throws UsageError naming an
// option `run` does not have, or one whose value is missing.
RunArguments split_run_arguments(const CLI::App& run, const std::vector<std::string>& args);

}  // namespace aperture::cli
