#include "cli/help_command.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/exit_codes.h"

namespace aperture::cli {

std::string overview_help(const CLI::App& app) {
  // App::help() describes the command that was parsed (here: help); ask for the top.
  return app.get_formatter()->make_help(&app, "aperture", CLI::AppFormatMode::Normal);
}

CLI::App* add_help_command(CLI::App& app, HelpOptions& o) {
  CLI::App* help = app.add_subcommand("help", "Show help: aperture help [COMMAND | exit-codes]");
  help->add_option("topic", o.topic, "a command, or exit-codes for the table of exit statuses");
  return help;
}

int help_command(const CLI::App& app, const HelpOptions& o) {
  if (o.topic.empty()) {
    std::cout << overview_help(app);
    return kExitOk;
  }
  if (o.topic == "exit-codes") {
    std::cout << "| status | meaning |\n| --- | --- |\n";
    for (const ExitCodeRow& row : kExitCodeTable)
      std::cout << "| " << row.status << " | " << row.meaning << " |\n";
    return kExitOk;
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->check_name(o.topic)) {
      std::cout << sub->help("aperture");
      return kExitOk;
    }
  }
  std::cerr << "error: no help for '" << o.topic << "': not a command; try 'aperture help'\n";
  return kExitUsage;
}

}  // namespace aperture::cli
