// Aperture's main job, end to end: a sensor pipeline sharing memory zero-copy between a
// host sampler process, Wasm filter instances in two processes, and a verifier.
//
//   process 1 (sampler, native):  writes samples at random positions of the shm region
//                                 "samples" in a tight loop, one burst per epoch
//   process 2 (this one):         Wasm filter instance A transforms channels [0, N/2)
//   process 3 (forked, embeds     Wasm filter instance B transforms channels [N/2, N)
//              Aperture too):
// Each filter reads the samples in place through a read-only window and writes into the
// shm region "results" through a read-write window. After every epoch the verifier
// recomputes every channel natively and counts mismatches (must be 0).
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/runtime.h"

namespace {

constexpr uint32_t kSamplesAddr = 0x10000000;
constexpr uint32_t kResultsAddr = 0x20000000;

// Lives in its own shm page; std::atomic<uint32_t> is lock-free and address-free, so it
// synchronises the processes.
struct Control {
  std::atomic<uint32_t> sample_epoch;   // parent -> sampler: produce this epoch
  std::atomic<uint32_t> sampled_epoch;  // sampler -> parent: epoch written
  std::atomic<uint32_t> filter_epoch;   // parent -> filter B: filter this epoch
  std::atomic<uint32_t> filtered_epoch; // filter B -> parent: epoch done
  std::atomic<uint32_t> stop;
  std::atomic<uint64_t> sampler_writes;
};

int32_t transform_reference(int32_t x, uint32_t channel) {
  int32_t y = static_cast<int32_t>((static_cast<int64_t>(x) * 300) >> 8) - 1200;
  if (y > 32767) y = 32767;
  if (y < -32768) y = -32768;
  return y ^ static_cast<int32_t>(channel & 0xFF);
}

void wait_for(const std::atomic<uint32_t>& value, uint32_t want, const Control* c) {
  while (value.load(std::memory_order_acquire) != want && !c->stop.load()) sched_yield();
}

[[noreturn]] void sampler(Control* c, int32_t* samples, uint32_t channels, uint32_t writes_per_epoch) {
  std::mt19937 rng(7);
  for (uint32_t epoch = 1;; ++epoch) {
    wait_for(c->sample_epoch, epoch, c);
    if (c->stop.load()) _exit(0);
    for (uint32_t k = 0; k < writes_per_epoch; ++k) {  // the tight sampling loop
      uint32_t r = rng();
      samples[r % channels] = static_cast<int32_t>(r >> 8) - (1 << 23);
    }
    c->sampler_writes.fetch_add(writes_per_epoch);
    c->sampled_epoch.store(epoch, std::memory_order_release);
  }
}

struct Filter {
  aperture::Store store;
  aperture::Instance* instance = nullptr;
  aperture::Function* filter = nullptr;

  Filter(const std::vector<uint8_t>& wasm, std::shared_ptr<aperture::Region> samples,
         std::shared_ptr<aperture::Region> results) {
    // Bindings: windows are in place before the module's code runs.
    instance = &store.instantiate(aperture::compile(wasm), aperture::Linker{}, [&](aperture::Instance& inst) {
      aperture::map_window(*inst.memory(0), samples, 0, 0, kSamplesAddr, aperture::Access::Read);
      aperture::map_window(*inst.memory(0), results, 0, 0, kResultsAddr, aperture::Access::ReadWrite);
    });
    filter = instance->exported_function("filter");
  }
  void run(uint32_t begin, uint32_t end) {
    store.invoke(*filter, std::vector<aperture::Value>{aperture::Value::i32(begin), aperture::Value::i32(end)});
  }
};

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
  std::string wasm_path = argc > 1 ? argv[1] : "filter.wasm";
  uint32_t epochs = argc > 2 ? static_cast<uint32_t>(std::stoul(argv[2])) : 40;
  const uint32_t channels = 1u << 20;            // 4 MiB of int32 samples
  const uint32_t writes_per_epoch = 1u << 20;    // random sensor updates per epoch
  std::vector<uint8_t> wasm = read_file(wasm_path);
  if (wasm.empty()) {
    std::fprintf(stderr, "cannot read filter module '%s'\n", wasm_path.c_str());
    return 1;
  }

  std::string tag = std::to_string(getpid());
  std::string control_name = "/aperture_demo_control_" + tag, samples_name = "/aperture_demo_samples_" + tag,
              results_name = "/aperture_demo_results_" + tag;
  auto control_region = aperture::Region::create_shm(control_name, sizeof(Control));
  auto samples = aperture::Region::create_shm(samples_name, channels * 4ull);
  auto results = aperture::Region::create_shm(results_name, channels * 4ull);
  auto cleanup = [&] {
    aperture::Region::remove_shm(control_name);
    aperture::Region::remove_shm(samples_name);
    aperture::Region::remove_shm(results_name);
  };
  Control* c = new (control_region->data()) Control{};
  int32_t* sample_words = reinterpret_cast<int32_t*>(samples->data());
  int32_t* result_words = reinterpret_cast<int32_t*>(results->data());

  std::printf("sensor pipeline: %u channels, %u random sensor writes per epoch, %u epochs\n", channels,
              writes_per_epoch, epochs);
  std::printf("regions: %s (samples), %s (results), %s (control)\n", samples_name.c_str(), results_name.c_str(),
              control_name.c_str());

  pid_t sampler_pid = fork();
  if (sampler_pid == 0) sampler(c, sample_words, channels, writes_per_epoch);

  pid_t filter_pid = fork();
  if (filter_pid == 0) {
    // Process 3: its own Aperture store and instance, opening the regions by name.
    auto s = aperture::Region::open_shm(samples_name, 0, false);
    auto r = aperture::Region::open_shm(results_name);
    Filter b(wasm, s, r);
    for (uint32_t epoch = 1;; ++epoch) {
      wait_for(c->filter_epoch, epoch, c);
      if (c->stop.load()) _exit(0);
      b.run(channels / 2, channels);
      c->filtered_epoch.store(epoch, std::memory_order_release);
    }
  }

  Filter a(wasm, samples, results);
  uint64_t mismatches = 0, filtered = 0;
  double filter_seconds = 0;
  for (uint32_t epoch = 1; epoch <= epochs; ++epoch) {
    c->sample_epoch.store(epoch, std::memory_order_release);
    wait_for(c->sampled_epoch, epoch, c);
    auto t0 = std::chrono::steady_clock::now();
    c->filter_epoch.store(epoch, std::memory_order_release);
    a.run(0, channels / 2);  // instance A, this process
    wait_for(c->filtered_epoch, epoch, c);
    filter_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    filtered += channels;
    for (uint32_t i = 0; i < channels; ++i)  // native reference over every channel
      mismatches += result_words[i] != transform_reference(sample_words[i], i);
  }
  c->stop.store(1);
  int status = 0;
  waitpid(sampler_pid, &status, 0);
  waitpid(filter_pid, &status, 0);
  bool child_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  cleanup();

  std::printf("sampler writes: %llu\n", static_cast<unsigned long long>(c->sampler_writes.load()));
  std::printf("samples filtered in place by 2 Wasm instances in 2 processes: %llu in %.3f s = %.1f M samples/s\n",
              static_cast<unsigned long long>(filtered), filter_seconds, filtered / filter_seconds / 1e6);
  std::printf("results verified against the native reference: %llu, mismatches: %llu\n",
              static_cast<unsigned long long>(filtered), static_cast<unsigned long long>(mismatches));
  if (!child_ok) std::printf("filter process B failed\n");
  return mismatches == 0 && child_ok ? 0 : 1;
}
