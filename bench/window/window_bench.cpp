// Window access and mapping cost, measured against linear memory and native code in the
// same run (bench/run prints the tables; docs/performance.md explains them).
//
//   window_bench RMW_WASM MAP_LOOP_WASM MEMORY_LOOP_WASM [--engine compiled|interp] [--quick]
//
// Output: markdown table rows; the last line is "check ok" or the process exits non-zero
// when the kernels disagree.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/runtime.h"

extern "C" uint32_t rmw_kernel(uint32_t* table, uint32_t mask, uint32_t n);
extern "C" uint32_t read_kernel(const uint32_t* table, uint32_t mask, uint32_t n);

namespace {

using Clock = std::chrono::steady_clock;

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Median wall time of `runs` calls, in seconds.
double median_seconds(int runs, const std::function<void()>& fn) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    fn();
    t.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

uint32_t call(aperture::Instance& inst, const char* name, uint32_t a, uint32_t b, uint32_t c) {
  auto r = inst.call(name, std::vector<aperture::Value>{aperture::Value::i32(a), aperture::Value::i32(b),
                                                        aperture::Value::i32(c)});
  return r.at(0).as_u32();
}

// Runs each loop once per round, `runs` rounds in rotation (drift hits all alike);
// returns each loop's samples sorted.
std::vector<std::vector<double>> interleaved(int runs, const std::vector<std::function<void()>>& loops) {
  std::vector<std::vector<double>> samples(loops.size());
  for (int round = 0; round < runs; ++round)
    for (size_t i = 0; i < loops.size(); ++i) samples[i].push_back(median_seconds(1, loops[i]));
  for (auto& s : samples) std::sort(s.begin(), s.end());
  return samples;
}

double median(const std::vector<double>& sorted) { return sorted[sorted.size() / 2]; }

// Multiple memories: the same read-modify-write kernel (memory_loop.wat) over memory 0,
// memory 1, a window in memory 1 and memory 2, for a cache-resident table and a large
// one. Returns false when the four disagree with each other or with native code.
bool multi_memory_bench(const std::vector<uint8_t>& wasm, const aperture::EngineConfig& engine,
                        const std::shared_ptr<aperture::Region>& region, uint32_t n, int runs, bool quick) {
  aperture::Store store;
  aperture::Instance& inst = store.instantiate(aperture::compile(wasm, engine), aperture::Linker{});
  aperture::Memory& m0 = *inst.memory(0);
  aperture::Memory& m1 = *inst.memory(1);
  aperture::Memory& m2 = *inst.memory(2);
  const uint64_t region_bytes = region->size();
  const uint32_t base = aperture::kWasmPageSize;  // above each memory's initial page
  const uint32_t pages = static_cast<uint32_t>(region_bytes / aperture::kWasmPageSize + 1);
  if (m0.grow(pages) < 0 || m1.grow(pages) < 0 || m2.grow(pages) < 0) {
    std::fprintf(stderr, "cannot grow the memories\n");
    return false;
  }
  const uint32_t window = 0x40000000;
  aperture::map_window(m1, region, 0, 0, window, aperture::Access::ReadWrite);
  uint8_t* host = region->data();

  bool ok = true;
  std::printf("\n### Multiple memories, %s engine (the same kernel over memory 0, memory 1, a window in memory 1 "
              "and memory 2; %u random read-modify-writes; median of %d rounds, loops interleaved)\n\n",
              aperture::engine_name(engine.kind), n, runs);
  std::printf("| table | memory 0 ns | memory 1 ns | window in memory 1 ns | memory 2 ns | memory 1 / memory 0 | "
              "window in memory 1 / memory 0 | memory 2 / memory 0 |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
  std::vector<std::string> ratio_lines;
  std::vector<uint64_t> sizes = {64 * 1024};
  if (!quick) sizes.push_back(region_bytes);
  for (uint64_t bytes : sizes) {
    const uint32_t mask = static_cast<uint32_t>(bytes / 4 - 1);
    // Correctness: the four loops and native code leave the same table, return the same x.
    std::memset(m0.base() + base, 0, bytes);
    std::memset(m1.base() + base, 0, bytes);
    std::memset(m2.base() + base, 0, bytes);
    std::memset(host, 0, bytes);
    std::vector<uint32_t> native(bytes / 4, 0);
    uint32_t x0 = call(inst, "rmw0", base, mask, n), x1 = call(inst, "rmw1", base, mask, n);
    uint32_t xw = call(inst, "rmw1", window, mask, n), x2 = call(inst, "rmw2", base, mask, n);
    uint32_t xn = rmw_kernel(native.data(), mask, n);
    ok = ok && x0 == xn && x1 == xn && xw == xn && x2 == xn && std::memcmp(m0.base() + base, native.data(), bytes) == 0 &&
         std::memcmp(m1.base() + base, native.data(), bytes) == 0 && std::memcmp(host, native.data(), bytes) == 0 &&
         std::memcmp(m2.base() + base, native.data(), bytes) == 0;

    auto s = interleaved(runs, {[&] { call(inst, "rmw0", base, mask, n); },
                                [&] { call(inst, "rmw1", base, mask, n); },
                                [&] { call(inst, "rmw1", window, mask, n); },
                                [&] { call(inst, "rmw2", base, mask, n); }});
    auto ns = [&](double t) { return t / n * 1e9; };
    auto ratio = [&](size_t i) { return median(s[i]) / median(s[0]); };
    auto fastest_ratio = [&](size_t i) { return s[i][0] / s[0][0]; };
    std::printf("| %llu KiB | %.2f | %.2f | %.2f | %.2f | %.3f (fastest rounds %.3f) | %.3f (fastest rounds %.3f) "
                "| %.3f (fastest rounds %.3f) |\n",
                static_cast<unsigned long long>(bytes / 1024), ns(median(s[0])), ns(median(s[1])),
                ns(median(s[2])), ns(median(s[3])), ratio(1), fastest_ratio(1), ratio(2), fastest_ratio(2),
                ratio(3), fastest_ratio(3));
    // For bench/run, which combines several processes (a ratio moves by several percent
    // from one process to the next: where the tables land in physical memory differs).
    ratio_lines.push_back("memory-ratios " + std::to_string(bytes / 1024) + " " + std::to_string(ratio(1)) + " " +
                          std::to_string(ratio(2)) + " " + std::to_string(ratio(3)));
  }
  for (const std::string& line : ratio_lines) std::printf("%s\n", line.c_str());
  std::printf("\n");
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  bool memories_only = false;  // only the multiple-memories table
  aperture::EngineConfig engine;  // the default engine unless --engine says otherwise
  bool usage_ok = argc >= 4;
  for (int i = 4; usage_ok && i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") {
      quick = true;
    } else if (a == "--memories-only") {
      memories_only = true;
    } else if (a == "--engine" && i + 1 < argc && aperture::engine_from_name(argv[i + 1])) {
      engine.kind = *aperture::engine_from_name(argv[++i]);
    } else {
      usage_ok = false;
    }
  }
  if (!usage_ok) {
    std::fprintf(stderr, "usage: window_bench RMW_WASM MAP_LOOP_WASM MEMORY_LOOP_WASM [--engine compiled|interp] [--quick] [--memories-only]\n");
    return 2;
  }
  const uint32_t words = quick ? (1u << 16) : (1u << 22);  // 256 KiB or 16 MiB
  const uint32_t mask = words - 1;
  const uint32_t n = quick ? 200000 : 4000000;
  const int runs = quick ? 1 : 15;
  const uint64_t bytes = words * 4ull;

  std::string shm = "/aperture_bench_" + std::to_string(getpid());
  auto region = aperture::Region::create_shm(shm, bytes);
  aperture::Region::remove_shm(shm);  // the fd keeps it alive; nothing left behind
  if (memories_only) {
    bool ok = multi_memory_bench(read_file(argv[3]), engine, region, n, runs, quick);
    std::printf("%s\n", ok ? "check ok" : "check FAILED: kernels disagree");
    return ok ? 0 : 1;
  }

  aperture::Store store;
  aperture::Instance& inst = store.instantiate(aperture::compile(read_file(argv[1]), engine), aperture::Linker{});
  aperture::Memory& mem = *inst.memory(0);
  uint64_t linear_base = (mem.pages() + 1) * aperture::kWasmPageSize;
  if (mem.grow(bytes / aperture::kWasmPageSize + 2) < 0) {
    std::fprintf(stderr, "cannot grow memory\n");
    return 1;
  }
  const uint32_t window_rw = 0x40000000, window_ro = 0x80000000;
  aperture::map_window(mem, region, 0, 0, window_rw, aperture::Access::ReadWrite);
  aperture::map_window(mem, region, 0, 0, window_ro, aperture::Access::Read);
  uint32_t* host = reinterpret_cast<uint32_t*>(region->data());

  // Correctness first: the same kernel over linear memory, the window and natively must
  // leave the same table and return the same value.
  std::memset(mem.base() + linear_base, 0, bytes);
  std::memset(host, 0, bytes);
  uint32_t x_linear = call(inst, "rmw", static_cast<uint32_t>(linear_base), mask, n);
  uint32_t x_window = call(inst, "rmw", window_rw, mask, n);
  bool same_table = std::memcmp(mem.base() + linear_base, host, bytes) == 0;
  uint32_t x_native = rmw_kernel(host, mask, n);
  uint32_t s_window = call(inst, "read_sum", window_ro, mask, n);
  uint32_t s_native = read_kernel(host, mask, n);
  uint32_t s_linear = call(inst, "read_sum", static_cast<uint32_t>(linear_base), mask, n);
  bool ok = same_table && x_linear == x_window && x_window == x_native && s_window == s_native;
  (void)s_linear;

  // The six loops run in rotation, `runs` rounds, so that drift (frequency, other load)
  // hits all of them alike; each figure is a median over the rounds.
  volatile uint32_t sink = 0;
  std::vector<std::function<void()>> loops = {
      [&] { call(inst, "rmw", static_cast<uint32_t>(linear_base), mask, n); },
      [&] { call(inst, "rmw", window_rw, mask, n); },
      [&] { call(inst, "read_sum", window_ro, mask, n); },
      [&] { call(inst, "read_sum", static_cast<uint32_t>(linear_base), mask, n); },
      [&] { sink = sink + rmw_kernel(host, mask, n); },
      [&] { sink = sink + read_kernel(host, mask, n); },
  };
  std::vector<std::vector<double>> samples(loops.size());
  for (int round = 0; round < runs; ++round)
    for (size_t i = 0; i < loops.size(); ++i) samples[i].push_back(median_seconds(1, loops[i]));
  auto median_of = [&](size_t i) {
    std::sort(samples[i].begin(), samples[i].end());
    return samples[i][samples[i].size() / 2];
  };
  // On a shared machine the fastest round is the least disturbed one: report both.
  auto min_of = [&](size_t i) { return *std::min_element(samples[i].begin(), samples[i].end()); };
  double t_linear = median_of(0), t_window = median_of(1), t_ro_window = median_of(2), t_ro_linear = median_of(3),
         t_native = median_of(4), t_native_ro = median_of(5);
  auto ns = [&](double t) { return t / n * 1e9; };

  std::printf("### Window access, %s engine (%u random accesses over %llu KiB; median of %d rounds, loops interleaved)\n\n",
              aperture::engine_name(engine.kind), n, static_cast<unsigned long long>(bytes / 1024), runs);
  std::printf("| loop | ns per access |\n| --- | --- |\n");
  std::printf("| (a) read-modify-write, linear memory | %.2f |\n", ns(t_linear));
  std::printf("| (b) read-modify-write, window onto a shm region | %.2f |\n", ns(t_window));
  std::printf("| (c) read-only loop, read-only window | %.2f |\n", ns(t_ro_window));
  std::printf("| (c') read-only loop, linear memory | %.2f |\n", ns(t_ro_linear));
  std::printf("| (d) read-modify-write, native C over the same shm mapping | %.2f |\n", ns(t_native));
  std::printf("| (d') read-only loop, native C over the same shm mapping | %.2f |\n\n", ns(t_native_ro));
  std::printf("| ratio | of medians | of fastest rounds |\n| --- | --- | --- |\n");
  std::printf("| (b)/(a) window / linear memory | %.3f | %.3f |\n", t_window / t_linear, min_of(1) / min_of(0));
  std::printf("| (c)/(c') read-only window / linear memory | %.3f | %.3f |\n", t_ro_window / t_ro_linear,
              min_of(2) / min_of(3));
  std::printf("| (b)/(d) window in Aperture / native | %.2f | %.2f |\n\n", t_window / t_native,
              min_of(1) / min_of(4));

  // ---- mapping cost ----
  aperture::GuestRegions guest;
  guest.grant("bench", region, aperture::Access::ReadWrite);
  aperture::Linker linker;
  guest.define_imports(store, linker);
  aperture::Instance& mapper = store.instantiate(aperture::compile(read_file(argv[2]), engine), linker);
  std::string shm2 = "/aperture_bench_map_" + std::to_string(getpid());
  const int k = quick ? 20 : 2000;
  std::printf("### Mapping cost, %s engine (map + unmap, mean of %d, median of %d batches)\n\n",
              aperture::engine_name(engine.kind), k, runs);
  std::printf("| size | host API µs | guest API µs | bare mmap+munmap µs | host/bare | guest/bare |\n");
  std::printf("| --- | --- | --- | --- | --- | --- |\n");
  for (uint64_t size : {4096ull, 1ull << 20, 64ull << 20}) {
    auto big = aperture::Region::create_shm(shm2, size);
    aperture::Region::remove_shm(shm2);
    guest.grant("bench", big, aperture::Access::ReadWrite);  // replaces the previous grant
    int32_t handle = static_cast<int32_t>(mapper.call("open_region", {}).at(0).as_u32());
    double host_t = median_seconds(runs, [&] {
      for (int i = 0; i < k; ++i) {
        aperture::map_window(mem, big, 0, size, 0xC0000000, aperture::Access::ReadWrite);
        aperture::unmap_window(mem, 0xC0000000, size);
      }
    });
    double bare_t = median_seconds(runs, [&] {
      for (int i = 0; i < k; ++i) {
        void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, big->fd(), 0);
        munmap(p, size);
      }
    });
    double guest_t = median_seconds(runs, [&] {
        auto r = mapper.call("map_loop", std::vector<aperture::Value>{aperture::Value::i32(handle),
                                                                      aperture::Value::i64(size),
                                                                      aperture::Value::i32(k)});
        if (r.at(0).as_i64() != 0) {
          std::fprintf(stderr, "guest map_loop failed: %lld\n", static_cast<long long>(r.at(0).as_i64()));
          std::exit(1);
        }
      });
    auto us = [&](double t) { return t / k * 1e6; };
    std::printf("| %llu KiB | %.2f | %.2f | %.2f | %.2f | %.2f |\n", static_cast<unsigned long long>(size / 1024),
                us(host_t), us(guest_t), us(bare_t), host_t / bare_t, guest_t / bare_t);
  }
  ok = multi_memory_bench(read_file(argv[3]), engine, region, n, runs, quick) && ok;
  std::printf("%s\n", ok ? "check ok" : "check FAILED: kernels disagree");
  return ok ? 0 : 1;
}
