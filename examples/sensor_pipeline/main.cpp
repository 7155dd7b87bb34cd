// Aperture's main job, end to end: a sensor pipeline sharing memory zero-copy between a
// host sampler process, Wasm filter instances in two processes, and a verifier.
//
//   process 1 (sampler, native):  writes samples at random positions of the shm region
//                                 "samples" in a tight loop, one burst per epoch
//   process 2 (this one):         the coordinator and verifier; Wasm filter instance A
//                                 (on its own thread) transforms channels [0, N/2)
//   process 3 (forked, embeds     Wasm filter instance B transforms channels [N/2, N)
//              Aperture too):
// Each filter reads the samples in place through a read-only window and writes into the
// shm region "results" through a read-write window. After every epoch the verifier
// recomputes every channel natively and counts mismatches (must be 0).
//
// Synchronisation (docs/regions.md, "Synchronising"): a control page, a third shm region,
// mapped into every filter as a window. The filters run their own loop in wasm (`serve` in
// filter.c): wasm atomics on the control words and aperture_wait32/aperture_notify, which
// sleep in the kernel on shared futexes. The host parties use the same words with the
// host API (aperture::wait32/notify on the region). Nobody spins: a party with nothing to
// do sleeps until another one notifies it.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/runtime.h"
#include "aperture/wait_notify.h"

namespace {

constexpr uint32_t kSamplesAddr = 0x10000000;
constexpr uint32_t kResultsAddr = 0x20000000;
constexpr uint32_t kControlAddr = 0x30000000;

// The control page; filter.c declares the same layout (struct control).
struct Control {
  uint32_t sample_epoch;    // coordinator -> sampler: produce this epoch
  uint32_t sampled_epoch;   // sampler -> coordinator: epoch written
  uint32_t filter_epoch;    // coordinator -> filters: filter this epoch; kStop ends them
  uint32_t filters_done;    // filters -> coordinator: one count per filter and epoch
  uint64_t sampler_writes;  // the sampler's own tally, read after it exits
};
constexpr uint32_t kStop = 0xFFFFFFFF;
constexpr uint32_t kFilters = 2;

int32_t transform_reference(int32_t x, uint32_t channel) {
  int32_t y = static_cast<int32_t>((static_cast<int64_t>(x) * 300) >> 8) - 1200;
  if (y > 32767) y = 32767;
  if (y < -32768) y = -32768;
  return y ^ static_cast<int32_t>(channel & 0xFF);
}

// A control word as the host sees it, through its own mapping of the control region.
class ControlWord {
 public:
  ControlWord(aperture::Region& region, size_t offset)
      : region_(region), offset_(offset), word_(reinterpret_cast<uint32_t*>(region.data() + offset)) {}
  uint32_t load() const { return __atomic_load_n(word_, __ATOMIC_SEQ_CST); }
  // Stores `value` and wakes every party sleeping on the word.
  void publish(uint32_t value) {
    __atomic_store_n(word_, value, __ATOMIC_SEQ_CST);
    aperture::notify(region_, offset_);
  }
  // Sleeps until the word holds `want` (or kStop); returns what it holds.
  uint32_t await(uint32_t want) const {
    uint32_t seen;
    while ((seen = load()) != want && seen != kStop) aperture::wait32(region_, offset_, seen);
    return seen;
  }
  // Sleeps while the word holds `value`; returns the new value.
  uint32_t await_change(uint32_t value) const {
    uint32_t seen;
    while ((seen = load()) == value) aperture::wait32(region_, offset_, seen);
    return seen;
  }

 private:
  aperture::Region& region_;
  size_t offset_;
  uint32_t* word_;
};

[[noreturn]] void sampler(aperture::Region& control, int32_t* samples, uint32_t channels,
                          uint32_t writes_per_epoch) {
  ControlWord sample_epoch(control, offsetof(Control, sample_epoch));
  ControlWord sampled_epoch(control, offsetof(Control, sampled_epoch));
  auto* c = reinterpret_cast<Control*>(control.data());
  std::mt19937 rng(7);
  for (uint32_t epoch = 0;;) {
    epoch = sample_epoch.await_change(epoch);
    if (epoch == kStop) _exit(0);
    for (uint32_t k = 0; k < writes_per_epoch; ++k) {  // the tight sampling loop
      uint32_t r = rng();
      samples[r % channels] = static_cast<int32_t>(r >> 8) - (1 << 23);
    }
    c->sampler_writes += writes_per_epoch;
    sampled_epoch.publish(epoch);
  }
}

struct Filter {
  aperture::Store store;
  aperture::GuestRegions guest;  // the "aperture" imports: wait32 and notify
  aperture::Instance* instance = nullptr;

  Filter(const std::vector<uint8_t>& wasm, std::shared_ptr<aperture::Region> samples,
         std::shared_ptr<aperture::Region> results, std::shared_ptr<aperture::Region> control) {
    aperture::Linker linker;
    guest.define_imports(store, linker);
    // Bindings: windows are in place before the module's code runs.
    instance = &store.instantiate(aperture::compile(wasm), linker, [&](aperture::Instance& inst) {
      aperture::map_window(*inst.memory(0), samples, 0, 0, kSamplesAddr, aperture::Access::Read);
      aperture::map_window(*inst.memory(0), results, 0, 0, kResultsAddr, aperture::Access::ReadWrite);
      aperture::map_window(*inst.memory(0), control, 0, 0, kControlAddr, aperture::Access::ReadWrite);
    });
  }
  // Runs the guest's own loop until the coordinator stops it; the epochs it filtered.
  uint32_t serve(uint32_t begin, uint32_t end) {
    auto r = instance->call("serve", std::vector<aperture::Value>{aperture::Value::i32(begin),
                                                                  aperture::Value::i32(end)});
    return r.at(0).as_u32();
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
  if (epochs == 0 || epochs >= kStop / kFilters) {
    std::fprintf(stderr, "EPOCHS must be between 1 and %u\n", kStop / kFilters - 1);
    return 1;
  }

  std::string tag = std::to_string(getpid());
  std::string control_name = "/aperture_demo_control_" + tag, samples_name = "/aperture_demo_samples_" + tag,
              results_name = "/aperture_demo_results_" + tag;
  auto control = aperture::Region::create_shm(control_name, sizeof(Control));
  auto samples = aperture::Region::create_shm(samples_name, channels * 4ull);
  auto results = aperture::Region::create_shm(results_name, channels * 4ull);
  auto cleanup = [&] {
    aperture::Region::remove_shm(control_name);
    aperture::Region::remove_shm(samples_name);
    aperture::Region::remove_shm(results_name);
  };
  auto* c = reinterpret_cast<Control*>(control->data());  // a new shm object is zero-filled
  int32_t* sample_words = reinterpret_cast<int32_t*>(samples->data());
  int32_t* result_words = reinterpret_cast<int32_t*>(results->data());

  std::printf("sensor pipeline: %u channels, %u random sensor writes per epoch, %u epochs\n", channels,
              writes_per_epoch, epochs);
  std::printf("regions: %s (samples), %s (results), %s (control)\n", samples_name.c_str(), results_name.c_str(),
              control_name.c_str());

  pid_t sampler_pid = fork();
  if (sampler_pid == 0) sampler(*control, sample_words, channels, writes_per_epoch);

  pid_t filter_pid = fork();
  if (filter_pid == 0) {
    // Process 3: its own Aperture store and instance, opening the regions by name.
    auto s = aperture::Region::open_shm(samples_name, 0, false);
    auto r = aperture::Region::open_shm(results_name);
    auto k = aperture::Region::open_shm(control_name);
    Filter b(wasm, s, r, k);
    _exit(b.serve(channels / 2, channels) == epochs ? 0 : 1);
  }

  // Process 2: filter instance A serves on its own thread; this thread coordinates.
  Filter a(wasm, samples, results, control);
  uint32_t a_epochs = 0;
  std::thread filter_a([&] { a_epochs = a.serve(0, channels / 2); });

  ControlWord sample_epoch(*control, offsetof(Control, sample_epoch));
  ControlWord sampled_epoch(*control, offsetof(Control, sampled_epoch));
  ControlWord filter_epoch(*control, offsetof(Control, filter_epoch));
  ControlWord filters_done(*control, offsetof(Control, filters_done));
  uint64_t mismatches = 0, filtered = 0;
  double filter_seconds = 0;
  for (uint32_t epoch = 1; epoch <= epochs; ++epoch) {
    sample_epoch.publish(epoch);
    sampled_epoch.await(epoch);
    auto t0 = std::chrono::steady_clock::now();
    filter_epoch.publish(epoch);             // wakes both filters
    filters_done.await(epoch * kFilters);    // each reports once per epoch
    filter_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    filtered += channels;
    for (uint32_t i = 0; i < channels; ++i)  // native reference over every channel
      mismatches += result_words[i] != transform_reference(sample_words[i], i);
  }
  filter_epoch.publish(kStop);
  sample_epoch.publish(kStop);
  filter_a.join();
  int sampler_status = 0, filter_status = 0;
  waitpid(sampler_pid, &sampler_status, 0);
  waitpid(filter_pid, &filter_status, 0);
  bool children_ok = WIFEXITED(sampler_status) && WEXITSTATUS(sampler_status) == 0 &&
                     WIFEXITED(filter_status) && WEXITSTATUS(filter_status) == 0 && a_epochs == epochs;
  uint64_t sampler_writes = c->sampler_writes;
  cleanup();

  std::printf("sampler writes: %llu\n", static_cast<unsigned long long>(sampler_writes));
  std::printf("samples filtered in place by 2 Wasm instances in 2 processes: %llu in %.3f s = %.1f M samples/s\n",
              static_cast<unsigned long long>(filtered), filter_seconds, filtered / filter_seconds / 1e6);
  std::printf("results verified against the native reference: %llu, mismatches: %llu\n",
              static_cast<unsigned long long>(filtered), static_cast<unsigned long long>(mismatches));
  std::printf("synchronised by the filters' own wasm atomics and wait/notify (shared futexes): "
              "filter A served %u epochs, filter B %s\n",
              a_epochs, WIFEXITED(filter_status) && WEXITSTATUS(filter_status) == 0 ? "all" : "FAILED");
  if (!children_ok) std::printf("a filter or the sampler failed\n");
  return mismatches == 0 && children_ok ? 0 : 1;
}
