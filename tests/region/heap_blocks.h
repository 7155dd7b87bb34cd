// The blocks a `wamr_heap hold` guest prints ("block ADDR SIZE" lines up to "holding"), for
// the shared-heap tests that check them for overlap across processes.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "child_process.h"

namespace aperture::testing_support {

struct Block {
  uint64_t addr, size;
};

// Reads the lines of `p` up to "holding" (or its end), appending them to `log`.
inline std::vector<Block> blocks_of(ChildProcess& p, std::string* log) {
  std::vector<Block> blocks;
  for (;;) {
    std::string l = p.line();
    *log += l + "\n";
    if (l == "holding" || l == "(timeout)" || l == "(eof)") break;
    unsigned long long addr = 0, size = 0;
    if (std::sscanf(l.c_str(), "block %llu %llu", &addr, &size) == 2) blocks.push_back({addr, size});
  }
  return blocks;
}

// Lets two holding guests go on and expects each to find its blocks intact and end well.
inline void release_holders(ChildProcess& a, ChildProcess& b) {
  a.send("go\n");
  b.send("go\n");
  EXPECT_EQ(a.line(), "intact");
  EXPECT_EQ(b.line(), "intact");
  EXPECT_EQ(a.wait(), 0);
  EXPECT_EQ(b.wait(), 0);
}

}  // namespace aperture::testing_support
