// The C++ embedding API: compile modules, create stores, link imports, instantiate, call.
//
//   auto module = aperture::compile(bytes);              // decode + validate + prepare code
//   aperture::Store store;
//   aperture::Linker linker;                              // imports by (module, name)
//   linker.define("env", "log", store.create_host_function(type, callback, "log"));
//   aperture::Instance& inst = store.instantiate(module, linker);
//   std::vector<aperture::Value> r = inst.call("run", {aperture::Value::i32(7)});
//
// Ownership: a Store owns every runtime object created in it and outlives them; objects
// are referred to by reference/pointer. Threads: different instances may run concurrently
// on different threads (one thread per instance at a time), and objects may be created
// in a Store (instantiate, create_*) from several threads at once. Instances share data
// between threads through a shared memory (threads proposal) they import or export.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "aperture/control.h"
#include "aperture/engine.h"
#include "aperture/error.h"
#include "aperture/memory.h"
#include "aperture/trap.h"
#include "aperture/types.h"

namespace aperture {

struct Module;           // decoded module (binary/module.h)
struct CompiledModule;   // Module + one engine's code; shared by all its instances
class Engine;            // an execution engine (runtime/engine.h)
class Instance;
class Memory;            // runtime/memory.h
class Store;

// Decode, validate and prepare a module's code with the engine `config` chooses
// (aperture/engine.h). Throws DecodeError, ValidationError or Error.
std::shared_ptr<const CompiledModule> compile(std::span<const uint8_t> bytes,
                                              const EngineConfig& config = {});
// The decoded module behind a compiled one (imports, exports, custom sections, names).
const Module& module_of(const CompiledModule& m);

// What a host function sees of its caller.
struct HostContext {
  Instance* caller = nullptr;  // the instance whose code made the call (null if called from the host)
  // The caller's memory `index` (0 by default); nullptr when it has none.
  Memory* memory(uint32_t index = 0) const;
};

// Host function: reads `args` (one 64-bit slot per parameter, typed by the FuncType; a
// v128 takes two, low half first: slot_count()) and writes the results' slots likewise.
// Throw aperture::Trap to trap the calling wasm code.
using HostCallback =
    std::function<void(HostContext& ctx, const uint64_t* args, uint64_t* results)>;

class Function {
 public:
  const FuncType& type() const { return *type_; }
  uint32_t type_id() const { return type_id_; }   // canonical id: equal ids <=> equal types
  bool is_host() const { return instance_ == nullptr; }
  Instance* instance() const { return instance_; }
  uint32_t index() const { return index_; }       // function index in its module
  const std::string& name() const { return name_; }
  const HostCallback& host() const { return host_; }

  // Engine internals (set up by Store and the engine's ModuleCode::bind).
  const FuncType* type_ = nullptr;
  uint32_t type_id_ = 0;
  Instance* instance_ = nullptr;
  uint32_t index_ = 0;
  // The engine running this function; null for host functions. The tiered engine moves a
  // function from the interpreter to compiled code while it may run: it writes code_ and
  // context_, then engine_ (release), and never changes them again; readers load engine_
  // first (acquire, std::atomic_ref) and read code_ and context_ only for the engine seen.
  const Engine* engine_ = nullptr;
  const void* code_ = nullptr;      // that engine's code for the function
  void* context_ = nullptr;         // that engine's per-instance context
  // The interpreter's code for the function (set with code_ by its bind and kept when the
  // function moves to compiled code), so an interpreter that saw engine_ before the move
  // still finds its own code.
  const void* interp_code_ = nullptr;
  HostCallback host_;
  std::string name_;
};

// Resource limits of one Store (docs/limits.md): a small module must not be able to make
// the host allocate without bound.
struct StoreLimits {
  // Elements of all tables created in the store together (instantiation, create_table,
  // table.grow): 8 bytes each. Past it, instantiation fails and table.grow returns -1.
  uint64_t table_elements = 10'000'000;
  // Bytes each linear memory created in the store may have: instantiating a module
  // whose memory starts larger fails, memory.grow beyond it returns -1. 0: only the
  // module's own maximum (and 4 GiB) apply.
  uint64_t max_memory_bytes = 0;
  // Bytes of wasm stack a thread may use for this store's code before the trap "call
  // stack exhausted" (docs/limits.md says what each engine counts). Store's constructor
  // throws Error outside [kMinWasmStackLimit, kMaxWasmStackLimit].
  uint64_t max_wasm_stack = 8ull << 20;
};
constexpr uint64_t kMaxWasmStackLimit = 1ull << 30;
constexpr uint64_t kMinWasmStackLimit = 4096;

// The table elements a store has left (StoreLimits::table_elements); shared by its tables,
// which may grow concurrently from different threads.
class TableBudget {
 public:
  explicit TableBudget(uint64_t limit) : limit_(limit) {}
  uint64_t limit() const { return limit_; }
  uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  // Reserves n elements; false (nothing reserved) when that would pass the limit.
  bool take(uint64_t n);
  void give_back(uint64_t n) { used_.fetch_sub(n, std::memory_order_relaxed); }

 private:
  const uint64_t limit_;
  std::atomic<uint64_t> used_{0};
};

// The type a host write into a table or global of a typed reference type (ref null? $t)
// is checked against: wasm code calls through such slots with call_ref, which trusts $t.
struct RefSlotType {
  const FuncType* func_type = nullptr;  // $t; null for funcref, externref and abstract heaps
  uint32_t type_id = 0;                 // $t's canonical id
};
// Throws Error unless `r` may be stored in a slot of reference type `type`: null only if
// the type is nullable, a function of type $t if it names one.
void check_ref_for_slot(ValType type, const RefSlotType& slot, RefBits r, const char* what);

class Table {
 public:
  // `budget` (optional) bounds the elements of all tables sharing it; the caller has
  // already taken type.limits.min from it.
  explicit Table(TableType type, TableBudget* budget = nullptr)
      : type_(type), elems_(type.limits.min, 0), budget_(budget) {}
  ~Table();
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  const TableType& type() const { return type_; }
  uint32_t size() const { return static_cast<uint32_t>(elems_.size()); }
  RefBits get(uint32_t i) const { return elems_[i]; }
  // For the host (wasm code writes elems_ after validation): throws Error when `r` is not
  // of the element type (check_ref_for_slot).
  void set(uint32_t i, RefBits r) {
    check_ref_for_slot(type_.elem, ref_slot_, r, "table element");
    elems_[i] = r;
  }
  // Grows by n entries filled with `init` (checked as set() does); returns the old size,
  // or -1 when not possible.
  // At most 2^32-1 entries, for 64-bit tables (table64) too (docs/limits.md).
  int64_t grow(uint64_t n, RefBits init) {
    check_ref_for_slot(type_.elem, ref_slot_, init, "table element");
    return grow_unchecked(n, init);
  }
  // grow() for engines, whose `init` validation has typed.
  int64_t grow_unchecked(uint64_t n, RefBits init);
  RefBits* data() { return elems_.data(); }

  TableType type_;
  RefSlotType ref_slot_;  // set by Store::instantiate for a (ref null? $t) table
  std::vector<RefBits> elems_;
  TableBudget* budget_ = nullptr;
};

class Global {
 public:
  Global(GlobalType type, uint64_t bits, uint64_t high_bits = 0)
      : type_(type), bits_(bits), high_bits_(high_bits) {}
  const GlobalType& type() const { return type_; }
  Value get() const { return {api_type(type_.type), bits_, high_bits_}; }
  // For the host: throws Error when a reference is not of the global's type
  // (check_ref_for_slot).
  void set(Value v) {
    if (is_ref(type_.type)) check_ref_for_slot(type_.type, ref_slot_, v.bits, "global");
    bits_ = v.bits;
    high_bits_ = v.high;
  }

  GlobalType type_;
  RefSlotType ref_slot_;  // set by Store::instantiate for a (ref null? $t) global
  uint64_t bits_;
  uint64_t high_bits_;  // a v128's high 64 bits
};

// An external value: what imports are resolved to and exports refer to.
struct Extern {
  ExternKind kind = ExternKind::Func;
  void* object = nullptr;  // Function*, Table*, Memory* or Global* according to kind

  static Extern func(Function* f) { return {ExternKind::Func, f}; }
  static Extern table(Table* t) { return {ExternKind::Table, t}; }
  static Extern memory(Memory* m) { return {ExternKind::Memory, m}; }
  static Extern global(Global* g) { return {ExternKind::Global, g}; }
  Function* as_func() const { return kind == ExternKind::Func ? static_cast<Function*>(object) : nullptr; }
  Table* as_table() const { return kind == ExternKind::Table ? static_cast<Table*>(object) : nullptr; }
  Memory* as_memory() const { return kind == ExternKind::Memory ? static_cast<Memory*>(object) : nullptr; }
  Global* as_global() const { return kind == ExternKind::Global ? static_cast<Global*>(object) : nullptr; }
};

// Per-instance state an engine keeps (Instance::engine_state_).
struct EngineInstanceState {
  virtual ~EngineInstanceState() = default;
};

class Instance {
 public:
  const CompiledModule& compiled() const { return *compiled_; }
  const Module& module() const;
  // Unique in the process and never reused (>= 1): capabilities such as region handles
  // and guest-made windows belong to one instance and are keyed by it.
  uint64_t id() const { return id_; }
  // Export by name, or nullptr.
  const Extern* find_export(const std::string& name) const;
  Function* exported_function(const std::string& name) const;
  Memory* exported_memory(const std::string& name) const;
  Memory* memory(uint32_t index = 0) const {
    return index < memories_.size() ? memories_[index] : nullptr;
  }
  // Calls export `name`. Throws Trap on a trap, Error when `name` is not a function export
  // or the arguments do not match its type.
  std::vector<Value> call(const std::string& name, std::span<const Value> args);

  // Engine internals.
  uint64_t id_ = 0;
  std::shared_ptr<const CompiledModule> compiled_;
  std::vector<Function*> funcs_;
  std::vector<Table*> tables_;
  std::vector<Memory*> memories_;
  // memories_[i]->base() for each i: a reservation never moves, so engines reach memory N
  // with one load from this array, the same cost for every N.
  std::vector<uint8_t*> memory_bases_;
  std::vector<Global*> globals_;
  std::vector<std::vector<RefBits>> elem_segments_;  // emptied by elem.drop
  std::vector<uint8_t> data_dropped_;                // 1 once data.drop ran
  std::map<std::string, Extern, std::less<>> exports_;
  void* user_data_ = nullptr;  // for embedders (e.g. the WASI context)
  std::unique_ptr<EngineInstanceState> engine_state_;
  // The store's interruption, fuel and stack limit (runtime/exec_control.h): engines
  // load control_->attention at every loop back-edge and function entry.
  ExecControl* control_ = nullptr;
};

// Resolves imports by (module name, field name).
class Linker {
 public:
  void define(const std::string& module, const std::string& name, Extern value);
  // Makes every export of `instance` importable under module name `module`.
  void define_instance(const std::string& module, const Instance& instance);
  const Extern* find(const std::string& module, const std::string& name) const;
  // The externs for every import of `m`, in import order. Throws LinkError
  // ("unknown import" / "incompatible import type") naming the import.
  std::vector<Extern> resolve(const Module& m) const;

 private:
  std::map<std::pair<std::string, std::string>, Extern> defs_;
};

class Store {
 public:
  // Throws Error for a wasm stack limit out of range (StoreLimits).
  explicit Store(const StoreLimits& limits = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const StoreLimits& limits() const { return limits_; }
  // Table elements all tables of this store hold now.
  uint64_t table_elements() const;

  Function* create_host_function(const FuncType& type, HostCallback callback,
                                 std::string name = "host");
  // Throws Error when the table would take the store past StoreLimits::table_elements.
  Table* create_table(const TableType& type, RefBits init = 0);
  Memory* create_memory(const MemoryType& type);
  // A region-backed memory (MemoryBacking in memory.h; aperture::create_region_memory in
  // region.h builds one from a Region). Throws Error when the backing is too small.
  Memory* create_memory(const MemoryType& type, std::optional<MemoryBacking> backing);
  Global* create_global(const GlobalType& type, Value init);

  // Links, allocates, initialises segments and runs the start function. `before_start`
  // (optional) runs after segment initialisation and before the start function: the
  // place to establish bindings (windows the start function may already use).
  // `defined_memories` (optional) backs memories the module defines by index: memory N
  // is created over that backing (a region-backed memory; aperture::region_memory_backing
  // in bindings.h makes one from a Region) instead of fresh private pages.
  // Throws LinkError (imports; a backing for an imported or missing memory), Error (a
  // backing too small for the memory), Trap (segment out of bounds, start function trapped).
  using BeforeStart = std::function<void(Instance&)>;
  Instance& instantiate(std::shared_ptr<const CompiledModule> module, const Linker& linker,
                        const BeforeStart& before_start = {},
                        const MemoryBackings& defined_memories = {});
  Instance& instantiate(std::shared_ptr<const CompiledModule> module,
                        std::span<const Extern> imports, const BeforeStart& before_start = {},
                        const MemoryBackings& defined_memories = {});

  // Calls any function (wasm or host) with typed arguments. Throws Trap.
  std::vector<Value> invoke(Function& f, std::span<const Value> args);

  // Interrupts the store's running code (InterruptHandle::interrupt); thread-safe.
  void interrupt();
  InterruptHandle interrupt_handle() const;

  // Fuel: with a budget set, each wasm function entry and each taken branch back to the
  // start of a loop costs one unit, in every engine; the call or branch that finds the
  // fuel used up traps with "all fuel consumed" (so N units allow exactly N). Without a
  // budget (the default) nothing is counted. Thread-safe; may change while code runs.
  void set_fuel(uint64_t units);
  void disable_fuel();
  // Units left, or nullopt when fuel is not enabled.
  std::optional<uint64_t> fuel() const;

  // Frees `instance` and the functions, tables, memories and globals it defined, before
  // the store goes. The caller guarantees that nothing refers to them any more: no other
  // instance imported them, no table or global outside the instance holds its functions,
  // and none of its code is running. (The C API uses it for instances whose exports were
  // never handed out.)
  void destroy_instance(Instance& instance);

 private:
  struct Objects;
  StoreLimits limits_;
  std::unique_ptr<Objects> objects_;
  std::shared_ptr<ExecControl> control_;
};

// Canonical id of a function type, process-wide (equal types <=> equal ids). Thread-safe.
uint32_t canonical_type_id(const FuncType& type);

}  // namespace aperture
