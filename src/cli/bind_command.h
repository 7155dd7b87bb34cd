// `aperture bind IN.wasm --map ... [--memory N=NAME] -o OUT.wasm`: writes declarative
// bindings into a module's `aperture.bind` custom section (docs/regions.md).
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace aperture::cli {

struct BindOptions {
  std::string input;
  std::string output;
  std::vector<std::string> maps;      // NAME@ADDR[,offset=N][,size=N][,memory=N][,ro|,rw]
  std::vector<std::string> memories;  // N=NAME[,offset=N]
};

CLI::App* add_bind_command(CLI::App& app, BindOptions& options);
int bind_command(const BindOptions& options);

}  // namespace aperture::cli
