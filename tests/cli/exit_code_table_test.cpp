// docs/cli.md's exit-status table is the one the binary follows: it must equal what
// `aperture help exit-codes` prints (generated from cli/exit_codes.h), and the codes in
// that table are the constants the commands return.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/exit_codes.h"
#include "run_aperture.h"

namespace {

using namespace aperture::cli;

std::vector<std::string> table_lines(std::istream& in) {
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("| ", 0) == 0) lines.push_back(line);
  return lines;
}

// The table rows that follow the heading `## Exit status` in docs/cli.md.
std::vector<std::string> documented_table() {
  std::ifstream doc(APERTURE_SOURCE_DIR "/docs/cli.md");
  std::string line, section;
  bool in_section = false;
  while (std::getline(doc, line)) {
    if (line.rfind("## ", 0) == 0) in_section = line == "## Exit status";
    if (!in_section) continue;
    if (line.rfind("| ", 0) == 0) section += line + "\n";
    else if (!section.empty()) break;  // the first table of the section ended
  }
  std::istringstream in(section);
  return table_lines(in);
}

TEST(ExitCodeTable, DocsMatchTheBinary) {
  aperture::cli_test::Result r = aperture::cli_test::run_aperture("help exit-codes");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::istringstream printed(r.out);
  std::vector<std::string> from_binary = table_lines(printed);
  std::vector<std::string> from_docs = documented_table();
  ASSERT_FALSE(from_docs.empty()) << "no table under '## Exit status' in docs/cli.md";
  EXPECT_EQ(from_docs, from_binary) << "docs/cli.md and cli/exit_codes.h disagree; update "
                                       "the docs from `aperture help exit-codes`";
}

TEST(ExitCodeTable, RowsNameTheConstants) {
  std::vector<std::string> statuses;
  for (const ExitCodeRow& row : kExitCodeTable) statuses.push_back(row.status);
  std::vector<std::string> expected = {std::to_string(kExitOk), "1.." + std::to_string(kMaxProgramStatus),
                                       std::to_string(kExitError), std::to_string(kExitUsage),
                                       std::to_string(kExitTrap)};
  EXPECT_EQ(statuses, expected);
}

}  // namespace
