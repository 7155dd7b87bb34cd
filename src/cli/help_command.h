// `aperture help [COMMAND | exit-codes]`.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace aperture::cli {

struct HelpOptions {
  std::string topic;  // empty: the overview
};

// The top-level help: commands and global options.
std::string overview_help(const CLI::App& app);

CLI::App* add_help_command(CLI::App& app, HelpOptions& options);
// Prints the help asked for; returns the exit status (2 for an unknown topic).
int help_command(const CLI::App& app, const HelpOptions& options);

}  // namespace aperture::cli
