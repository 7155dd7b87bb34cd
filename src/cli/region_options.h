// Region options of `aperture run` (--region, --grant, --map) and `aperture region`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aperture/bindings.h"
#include "cli/run_command.h"

namespace CLI {
class App;
}

namespace aperture::cli {

struct RegionOptions {
  std::vector<std::string> regions;  // NAME=SPEC
  std::vector<std::string> grants;   // NAME[:ro|:rw]
  std::vector<std::string> maps;     // NAME@ADDR[,offset=N][,size=N][,memory=N][,ro|,rw][,exclusive|,shared][,wait=T][,copy|,mapped]
  std::vector<std::string> memories;  // N=NAME[,offset=N]
  std::optional<std::string> max_handles;  // --max-region-handles N
  std::optional<std::string> window_mode;  // --window-mode map|copy
  std::vector<std::string> shared_heaps;  // --shared-heap NAME[,reclaim] (a --region), in chain order
};

// --memory N=NAME[,offset=N] as a memory binding. Throws Error.
Binding parse_memory_binding(const std::string& spec);
// --map NAME@ADDR[,offset=N][,size=N][,memory=N][,ro|,rw] as a window binding (access rw
// unless ro). Throws Error.
Binding parse_map_binding(const std::string& spec);

void add_region_options(CLI::App& run, RegionOptions& options);
// Parses the options and registers hooks that create regions, grants and windows.
// Throws Error on a malformed option.
void install_region_hooks(const RegionOptions& options, RunHooks& hooks);

// `aperture region create|info|rm` for POSIX shm regions.
CLI::App* add_region_command(CLI::App& app);
int region_command_result();

}  // namespace aperture::cli
