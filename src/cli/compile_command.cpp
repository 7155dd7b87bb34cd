#include "cli/compile_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "aperture/engine.h"
#include "cli/engine_options.h"
#include "cli/file_util.h"
#include "cli/module_source.h"

namespace aperture::cli {
namespace {

// Written to a temporary file and renamed, so a failed write never leaves half an artifact.
void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::string temp = path + ".tmp" + std::to_string(getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error("cannot write " + path + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  int err = errno;
  bool ok = done == bytes.size() && ::close(fd) == 0;
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    if (ok) err = errno;
    ::unlink(temp.c_str());
    throw Error("cannot write " + path + ": " + std::strerror(err));
  }
}

}  // namespace

CLI::App* add_compile_command(CLI::App& app, CompileOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "compile", "Compile a module ahead of time for this CPU (run it with `run --allow-precompiled`)");
  cmd->add_option("module", o.module_path, "the .wasm module (- reads standard input)")->required();
  cmd->add_option("-o,--output", o.output_path, "the artifact to write (e.g. module.cwasm)")->required();
  add_opt_level_option(*cmd, o.opt_level);
  return cmd;
}

int compile_command(const CompileOptions& o) {
  try {
    EngineConfig config;
    config.kind = EngineKind::Compiled;
    config.opt_level = o.opt_level;
    write_file(o.output_path, compile_to_artifact(read_module(o.module_path), config));
    return kExitOk;
  } catch (const DecodeError& e) {
    std::cerr << "error: " << module_display_name(o.module_path) << ": " << e.what() << "\n";
  } catch (const ValidationError& e) {
    std::cerr << "error: " << module_display_name(o.module_path) << ": " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
  }
  return kExitError;
}

}  // namespace aperture::cli
