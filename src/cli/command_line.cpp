#include "cli/command_line.h"

#include <CLI/CLI.hpp>
#include <sys/stat.h>

#include "cli/file_util.h"

namespace aperture::cli {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A word in command position that names a module rather than a mistyped command.
bool looks_like_module(const std::string& word) {
  if (word == "-" || ends_with(word, ".wasm") || ends_with(word, ".wat")) return true;
  if (word.find('/') != std::string::npos) return true;
  struct stat st;
  return stat(word.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool is_global_flag(const std::string& word) {
  return word == "-h" || word == "--help" || word == "-V" || word == "--version";
}

std::string command_list(const CLI::App& app) {
  std::string out;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    out += (out.empty() ? "" : ", ") + sub->get_name();
  return out;
}

}  // namespace

std::vector<std::string> route_command(const CLI::App& app, std::vector<std::string> args) {
  if (args.empty()) return args;
  const std::string& first = args[0];
  if (is_global_flag(first)) return args;
  bool is_command = false;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    is_command = is_command || sub->check_name(first);
  if (is_command) return args;
  if (first[0] == '-' || looks_like_module(first)) {
    args.insert(args.begin(), "run");
    return args;
  }
  throw UsageError("unknown command '" + first + "'; the commands are " + command_list(app) +
                   " (to run a module: aperture MODULE.wasm [ARGS...])");
}

RunArguments split_run_arguments(const CLI::App& run, const std::vector<std::string>& args) {
  RunArguments out;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--") {
      ++i;
      break;
    }
    if (word.size() < 2 || word[0] != '-') break;  // MODULE ("-" is standard input)
    std::string name = word.substr(0, word.find('='));
    const CLI::Option* opt = run.get_option_no_throw(name);
    if (opt == nullptr)
      throw UsageError("unknown option " + name + " for 'aperture run' (options come before "
                       "MODULE; see 'aperture help run')");
    out.options.push_back(word);
    bool takes_value = opt->get_items_expected_max() > 0 && name != "--help" && name != "-h";
    if (!takes_value || name.size() != word.size()) continue;  // a flag, or --name=value
    if (i + 1 >= args.size()) throw UsageError(name + " needs a value (see 'aperture help run')");
    out.options.push_back(args[++i]);
  }
  if (i < args.size()) out.module = args[i++];
  out.program.assign(args.begin() + static_cast<long>(i), args.end());
  return out;
}

}  // namespace aperture::cli
