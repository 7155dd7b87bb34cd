#include "cli/wasi_options.h"

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "cli/file_util.h"

namespace aperture::cli {
namespace {

// HOST[::GUEST]; "::" rather than ":" so that host paths may contain colons.
wasi::Preopen parse_dir(const std::string& text) {
  size_t sep = text.find("::");
  wasi::Preopen p;
  p.host_path = sep == std::string::npos ? text : text.substr(0, sep);
  p.guest_path = sep == std::string::npos ? text : text.substr(sep + 2);
  if (p.host_path.empty() || p.guest_path.empty())
    throw UsageError("--dir expects HOST[::GUEST], got '" + text + "'");
  return p;
}

}  // namespace

void add_wasi_options(CLI::App& run, WasiOptions& o) {
  auto* group = run.add_option_group("WASI", "Options for WASI programs (run without --invoke)");
  group->add_option("--dir", o.dirs, "preopen a host directory: HOST[::GUEST] (repeatable)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  group->add_option("--env", o.envs,
                    "set an environment variable: KEY=VALUE, or KEY to pass the host's value (repeatable)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  group->add_option("--argv0", o.argv0, "the program's argv[0] (default: the MODULE path)");
}

wasi::Config make_wasi_config(const WasiOptions& o, std::vector<std::string> argv) {
  wasi::Config cfg;
  cfg.args = std::move(argv);
  for (const std::string& e : o.envs) {
    if (e.empty() || e[0] == '=')
      throw UsageError("--env expects KEY=VALUE or KEY, got '" + e + "'");
    if (e.find('=') != std::string::npos) {
      cfg.env.push_back(e);
      continue;
    }
    // KEY alone passes the host's value, as wasmtime does; an unset KEY is left out.
    if (const char* host = std::getenv(e.c_str())) cfg.env.push_back(e + "=" + host);
  }
  for (const std::string& d : o.dirs) cfg.preopens.push_back(parse_dir(d));
  return cfg;
}

}  // namespace aperture::cli
