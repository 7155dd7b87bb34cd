// Store, linking and instantiation (WebAssembly 2.0, "Modules > Instantiation").
#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_map>

#include "aperture/memory.h"
#include "aperture/runtime.h"
#include "binary/printable_name.h"
#include "runtime/compiled_module.h"
#include "runtime/const_eval.h"
#include "runtime/engine.h"
#include "runtime/exec_control.h"

namespace aperture {

struct Store::Objects {
  explicit Objects(const StoreLimits& limits) : table_budget(limits.table_elements) {}
  TableBudget table_budget;  // declared first: destroyed after the tables that use it
  std::vector<std::unique_ptr<Function>> functions;
  std::vector<std::unique_ptr<Table>> tables;
  std::vector<std::unique_ptr<Memory>> memories;
  std::vector<std::unique_ptr<Global>> globals;
  std::vector<std::unique_ptr<Instance>> instances;
  std::vector<std::unique_ptr<FuncType>> host_types;
  // Objects may be created on several threads at once (wasi-threads instantiates a module
  // for each new thread while the others run).
  std::mutex mutex;

  template <typename T>
  T* adopt(std::vector<std::unique_ptr<T>>& list, std::unique_ptr<T> object) {
    std::lock_guard<std::mutex> lock(mutex);
    list.push_back(std::move(object));
    return list.back().get();
  }
};

uint32_t canonical_type_id(const FuncType& type) {
  static std::mutex mutex;
  static std::unordered_map<std::string, uint32_t> ids;
  std::string key;
  for (ValType t : type.params) key.push_back(static_cast<char>(t));
  key.push_back('>');
  for (ValType t : type.results) key.push_back(static_cast<char>(t));
  std::lock_guard<std::mutex> lock(mutex);
  auto [it, inserted] = ids.emplace(key, static_cast<uint32_t>(ids.size() + 1));
  return it->second;
}

Memory* HostContext::memory(uint32_t index) const {
  return caller ? caller->memory(index) : nullptr;
}

bool TableBudget::take(uint64_t n) {
  uint64_t used = used_.load(std::memory_order_relaxed);
  do {
    if (n > limit_ || used > limit_ - n) return false;
  } while (!used_.compare_exchange_weak(used, used + n, std::memory_order_relaxed));
  return true;
}

Table::~Table() {
  if (budget_) budget_->give_back(elems_.size());
}

void check_ref_for_slot(ValType type, const RefSlotType& slot, RefBits r, const char* what) {
  if (r == 0) {
    if (!is_nullable(type))
      throw Error(std::string("a ") + what + " of type " + to_string(type) + " cannot hold null");
    return;
  }
  if (slot.func_type == nullptr) return;
  const Function& f = *reinterpret_cast<const Function*>(r);
  if (f.type_id() != slot.type_id)
    throw Error(std::string("a ") + what + " of type " + to_string(type) + " must be a function of type " +
                slot.func_type->to_string() + ", got one of type " + f.type().to_string());
}

int64_t Table::grow_unchecked(uint64_t n, RefBits init) {
  uint64_t old = elems_.size();
  uint64_t limit = std::min<uint64_t>(type_.limits.max.value_or(0xFFFFFFFFull), 0xFFFFFFFFull);
  if (n > limit || old > limit - n) return -1;
  if (budget_ && !budget_->take(n)) return -1;  // the store's table elements are used up
  try {
    elems_.resize(old + n, init);
  } catch (const std::bad_alloc&) {  // the host ran out first: grow fails, as the spec allows
    if (budget_) budget_->give_back(n);
    return -1;
  }
  return static_cast<int64_t>(old);
}

// ---- Linker ----

void Linker::define(const std::string& module, const std::string& name, Extern value) {
  defs_[{module, name}] = value;
}

void Linker::define_instance(const std::string& module, const Instance& instance) {
  for (const auto& [name, ext] : instance.exports_) define(module, name, ext);
}

const Extern* Linker::find(const std::string& module, const std::string& name) const {
  auto it = defs_.find({module, name});
  return it == defs_.end() ? nullptr : &it->second;
}

namespace {

bool limits_match(const Limits& actual, const Limits& expected) {
  if (actual.min < expected.min) return false;
  if (!expected.max) return true;
  return actual.max && *actual.max <= *expected.max;
}

std::string import_name(const Import& imp) {
  return "\"" + printable_name(imp.module) + "\" \"" + printable_name(imp.name) + "\"";
}

void check_import(const Module& m, const Import& imp, const Extern& ext) {
  auto incompatible = [&](const std::string& why) {
    throw LinkError("incompatible import type for " + import_name(imp) + ": " + why);
  };
  if (ext.kind != imp.kind)
    incompatible(std::string("expected ") + to_string(imp.kind) + ", got " + to_string(ext.kind));
  switch (imp.kind) {
    case ExternKind::Func: {
      const FuncType& want = m.types[imp.func_type];
      const FuncType& have = ext.as_func()->type();
      if (!(want == have)) incompatible("expected " + want.to_string() + ", got " + have.to_string());
      return;
    }
    case ExternKind::Table: {
      const Table* t = ext.as_table();
      Limits actual{t->size(), t->type().limits.max};
      if (t->type().elem != imp.table.elem) incompatible("element type differs");
      if (t->type().limits.is64 != imp.table.limits.is64)
        incompatible(imp.table.limits.is64 ? "expected a 64-bit table, got a 32-bit one"
                                           : "expected a 32-bit table, got a 64-bit one");
      if (!limits_match(actual, imp.table.limits)) incompatible("table limits do not match");
      return;
    }
    case ExternKind::Memory: {
      const auto* mem = static_cast<const Memory*>(ext.object);  // kind checked above
      Limits actual{mem->pages(), mem->max_pages()};
      if (mem->is64() != imp.memory.limits.is64)
        incompatible(imp.memory.limits.is64 ? "expected a 64-bit memory, got a 32-bit one"
                                            : "expected a 32-bit memory, got a 64-bit one");
      if (!limits_match(actual, imp.memory.limits)) incompatible("memory limits do not match");
      if (mem->shared() != imp.memory.limits.shared)
        incompatible(imp.memory.limits.shared ? "expected a shared memory, got an unshared one"
                                              : "expected an unshared memory, got a shared one");
      return;
    }
    case ExternKind::Global: {
      // An immutable global may be of a subtype ((ref $t) for a funcref import). A type
      // index of the exporter is read as the importer's (a limitation, docs/architecture.md,
      // "Typed function references").
      const GlobalType& have = ext.as_global()->type();
      bool subtype_ok = !imp.global.mut && is_subtype(m, have.type, imp.global.type);
      if ((have.type != imp.global.type && !subtype_ok) || have.mut != imp.global.mut)
        incompatible("global type or mutability differs");
      return;
    }
  }
}

}  // namespace

std::vector<Extern> Linker::resolve(const Module& m) const {
  std::vector<Extern> out;
  out.reserve(m.imports.size());
  for (const Import& imp : m.imports) {
    const Extern* ext = find(imp.module, imp.name);
    if (ext == nullptr) throw LinkError("unknown import " + import_name(imp));
    out.push_back(*ext);
  }
  return out;
}

// ---- Instance ----

const Module& Instance::module() const { return compiled_->module; }

const Extern* Instance::find_export(const std::string& name) const {
  auto it = exports_.find(name);
  return it == exports_.end() ? nullptr : &it->second;
}

Function* Instance::exported_function(const std::string& name) const {
  const Extern* e = find_export(name);
  return e ? e->as_func() : nullptr;
}

Memory* Instance::exported_memory(const std::string& name) const {
  const Extern* e = find_export(name);
  return e ? e->as_memory() : nullptr;
}

namespace {

std::vector<Value> call_function(Function& f, std::span<const Value> args) {
  const FuncType& t = f.type();
  if (args.size() != t.params.size())
    throw Error("function expects " + std::to_string(t.params.size()) + " arguments, got " +
                std::to_string(args.size()));
  std::vector<uint64_t> slots(std::max(slot_count(t.params), slot_count(t.results)) + 1);
  size_t slot = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    // A typed reference parameter takes a funcref or externref (api_type), never null
    // when the type is non-nullable.
    if (args[i].type != api_type(t.params[i]))
      throw Error("argument " + std::to_string(i) + " must be " + to_string(t.params[i]) +
                  ", got " + to_string(args[i].type));
    if (is_ref(t.params[i]) && !is_nullable(t.params[i]) && args[i].is_null())
      throw Error("argument " + std::to_string(i) + " must be " + to_string(t.params[i]) +
                  ", got a null reference");
    // A (ref $t) parameter: call_ref trusts the function's type, so check it here.
    uint32_t heap = is_ref(t.params[i]) ? heap_type(t.params[i]) : 0;
    if (is_concrete_heap(heap) && !args[i].is_null() && f.instance() != nullptr) {
      const FuncType& want = f.instance()->module().types[heap - kHeapConcrete];
      const FuncType& have = reinterpret_cast<const Function*>(args[i].bits)->type();
      if (!(have == want))
        throw Error("argument " + std::to_string(i) + " must be a function of type " +
                    want.to_string() + ", got one of type " + have.to_string());
    }
    slots[slot++] = args[i].bits;
    if (args[i].type == ValType::V128) slots[slot++] = args[i].high;
  }
  invoke_function(f, slots.data(), nullptr);
  std::vector<Value> results(t.results.size());
  slot = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    uint64_t bits = slots[slot++];
    if (t.results[i] == ValType::I32 || t.results[i] == ValType::F32) bits &= 0xFFFFFFFFull;
    results[i] = Value{api_type(t.results[i]), bits};
    if (t.results[i] == ValType::V128) results[i].high = slots[slot++];
  }
  return results;
}

}  // namespace

std::vector<Value> Instance::call(const std::string& name, std::span<const Value> args) {
  Function* f = exported_function(name);
  if (f == nullptr) throw Error("no exported function named '" + name + "'");
  return call_function(*f, args);
}

// ---- Store ----

namespace {

const StoreLimits& checked(const StoreLimits& limits) {
  if (limits.max_wasm_stack < kMinWasmStackLimit || limits.max_wasm_stack > kMaxWasmStackLimit)
    throw Error("the wasm stack limit must be between " + std::to_string(kMinWasmStackLimit) +
                " bytes and " + std::to_string(kMaxWasmStackLimit >> 20) + " MiB, got " +
                std::to_string(limits.max_wasm_stack));
  return limits;
}

}  // namespace

Store::Store(const StoreLimits& limits)
    : limits_(checked(limits)), objects_(std::make_unique<Objects>(limits)),
      control_(std::make_shared<ExecControl>()) {
  control_->limits = limits_;
}

uint64_t Store::table_elements() const { return objects_->table_budget.used(); }

Store::~Store() {
  control_->disable_fuel();  // other stores' code need not look at this one any more
  // Instances refer to everything else; destroy them first.
  objects_->instances.clear();
}

Function* Store::create_host_function(const FuncType& type, HostCallback callback,
                                      std::string name) {
  auto f = std::make_unique<Function>();
  // Host function types live as long as the store.
  f->type_ = objects_->adopt(objects_->host_types, std::make_unique<FuncType>(type));
  f->type_id_ = canonical_type_id(type);
  f->host_ = std::move(callback);
  f->name_ = std::move(name);
  return objects_->adopt(objects_->functions, std::move(f));
}

Table* Store::create_table(const TableType& type, RefBits init) {
  TableBudget& budget = objects_->table_budget;
  if (!budget.take(type.limits.min))
    throw Error("cannot create a table of " + std::to_string(type.limits.min) +
                " elements: the store's tables already hold " + std::to_string(budget.used()) +
                " of at most " + std::to_string(budget.limit()) +
                " elements (raise StoreLimits::table_elements, or aperture run --max-table-elements)");
  std::unique_ptr<Table> t;
  try {
    t = std::make_unique<Table>(type, &budget);
  } catch (...) {
    budget.give_back(type.limits.min);
    throw;
  }
  std::fill(t->elems_.begin(), t->elems_.end(), init);
  return objects_->adopt(objects_->tables, std::move(t));
}

Memory* Store::create_memory(const MemoryType& type) { return create_memory(type, std::nullopt); }

Memory* Store::create_memory(const MemoryType& type, std::optional<MemoryBacking> backing) {
  uint64_t limit = limits_.max_memory_bytes;
  if (limit != 0 && type.limits.min > limit / kWasmPageSize)  // (a 64-bit minimum may overflow bytes)
    throw Error("a memory of " + std::to_string(type.limits.min) + " pages (" +
                std::to_string(type.limits.min * kWasmPageSize) +
                " bytes) is larger than the store's memory limit of " + std::to_string(limit) +
                " bytes");
  auto memory = backing ? std::make_unique<Memory>(type, std::move(*backing))
                        : std::make_unique<Memory>(type);
  if (limit != 0) memory->set_max_bytes(limit);
  return objects_->adopt(objects_->memories, std::move(memory));
}

Global* Store::create_global(const GlobalType& type, Value init) {
  return objects_->adopt(objects_->globals, std::make_unique<Global>(type, init.bits, init.high));
}

Instance& Store::instantiate(std::shared_ptr<const CompiledModule> module, const Linker& linker,
                             const BeforeStart& before_start, const MemoryBackings& defined_memories) {
  std::vector<Extern> imports = linker.resolve(module->module);
  return instantiate(std::move(module), imports, before_start, defined_memories);
}

namespace {

// Every backing names a memory the module defines.
void check_defined_memory_backings(const Module& m, const MemoryBackings& backings) {
  for (const auto& [index, backing] : backings) {
    if (index >= m.num_imported_memories && index - m.num_imported_memories < m.memories.size()) continue;
    throw LinkError("memory " + std::to_string(index) + " cannot be backed by region '" +
                    backing.region_name + "': " +
                    (index < m.num_imported_memories
                         ? "it is imported (back the memory the host provides for the import instead)"
                         : "the module has only " +
                               std::to_string(m.num_imported_memories + m.memories.size()) + " memories"));
  }
}

// A module's (ref null? $t) table or global: what host writes into it are checked against.
RefSlotType ref_slot_type(const CompiledModule& compiled, ValType type) {
  uint32_t heap = is_ref(type) ? heap_type(type) : 0;
  if (!is_concrete_heap(heap)) return {};
  uint32_t index = heap - kHeapConcrete;
  return {&compiled.module.types[index], compiled.type_ids[index]};
}

}  // namespace

Instance& Store::instantiate(std::shared_ptr<const CompiledModule> compiled,
                             std::span<const Extern> imports, const BeforeStart& before_start,
                             const MemoryBackings& defined_memories) {
  const Module& m = compiled->module;
  if (imports.size() != m.imports.size())
    throw LinkError("module needs " + std::to_string(m.imports.size()) + " imports, got " +
                    std::to_string(imports.size()));
  for (size_t i = 0; i < imports.size(); ++i) check_import(m, m.imports[i], imports[i]);
  check_defined_memory_backings(m, defined_memories);

  static std::atomic<uint64_t> next_instance_id{1};
  auto owned = std::make_unique<Instance>();
  Instance& inst = *owned;
  inst.id_ = next_instance_id.fetch_add(1, std::memory_order_relaxed);
  inst.compiled_ = compiled;
  inst.control_ = control_.get();
  for (size_t i = 0; i < imports.size(); ++i) {
    const Extern& e = imports[i];
    switch (e.kind) {
      case ExternKind::Func: inst.funcs_.push_back(e.as_func()); break;
      case ExternKind::Table: inst.tables_.push_back(e.as_table()); break;
      case ExternKind::Memory: inst.memories_.push_back(e.as_memory()); break;
      case ExternKind::Global: inst.globals_.push_back(e.as_global()); break;
    }
  }
  for (size_t i = 0; i < m.funcs.size(); ++i) {
    auto f = std::make_unique<Function>();
    uint32_t index = m.num_imported_funcs + static_cast<uint32_t>(i);
    f->type_ = &m.types[m.funcs[i]];
    f->type_id_ = compiled->type_ids[m.funcs[i]];
    f->instance_ = &inst;
    f->index_ = index;
    f->name_ = function_display_name(m, index);
    inst.funcs_.push_back(objects_->adopt(objects_->functions, std::move(f)));
  }
  // A table's initialiser (3.0) may read imported globals and name functions: both exist.
  for (size_t i = 0; i < m.tables.size(); ++i) {
    bool has_init = i < m.table_inits.size() && !m.table_inits[i].code.empty();
    inst.tables_.push_back(
        create_table(m.tables[i], has_init ? eval_const(m.table_inits[i], inst) : 0));
    inst.tables_.back()->ref_slot_ = ref_slot_type(*compiled, m.tables[i].elem);
  }
  for (const MemoryType& mt : m.memories) {
    auto backing = defined_memories.find(static_cast<uint32_t>(inst.memories_.size()));
    inst.memories_.push_back(backing == defined_memories.end() ? create_memory(mt)
                                                               : create_memory(mt, backing->second));
  }
  for (Memory* mem : inst.memories_) inst.memory_bases_.push_back(mem->base());
  for (const GlobalDef& g : m.globals) {
    uint64_t high = 0;
    uint64_t bits = eval_const(g.init, inst, &high);
    inst.globals_.push_back(create_global(g.type, Value{api_type(g.type.type), bits, high}));
    inst.globals_.back()->ref_slot_ = ref_slot_type(*compiled, g.type.type);
  }
  compiled->code->bind(inst);
  for (const ElemSegment& seg : m.elems) {
    std::vector<RefBits> refs;
    refs.reserve(seg.items.size());
    for (const ConstExpr& item : seg.items) refs.push_back(eval_const(item, inst));
    inst.elem_segments_.push_back(std::move(refs));
  }
  inst.data_dropped_.assign(m.datas.size(), 0);
  for (const Export& e : m.exports) {
    Extern ext;
    ext.kind = e.kind;
    switch (e.kind) {
      case ExternKind::Func: ext.object = inst.funcs_[e.index]; break;
      case ExternKind::Table: ext.object = inst.tables_[e.index]; break;
      case ExternKind::Memory: ext.object = inst.memories_[e.index]; break;
      case ExternKind::Global: ext.object = inst.globals_[e.index]; break;
    }
    inst.exports_.emplace(e.name, ext);
  }
  objects_->adopt(objects_->instances, std::move(owned));

  // Segment initialisation in order; a trap leaves earlier writes in place (spec 2.0).
  for (size_t i = 0; i < m.elems.size(); ++i) {
    const ElemSegment& seg = m.elems[i];
    if (seg.mode == ElemSegment::Mode::Passive) continue;
    if (seg.mode == ElemSegment::Mode::Active) {
      Table* t = inst.tables_[seg.table];
      uint64_t offset = eval_const(seg.offset, inst);  // i64 on a 64-bit table
      if (!t->type().limits.is64) offset = static_cast<uint32_t>(offset);
      const std::vector<RefBits>& refs = inst.elem_segments_[i];
      if (offset > t->size() || refs.size() > t->size() - offset) throw Trap(trap_msg::kTableOutOfBounds);
      std::copy(refs.begin(), refs.end(), t->elems_.begin() + offset);
    }
    std::vector<RefBits>().swap(inst.elem_segments_[i]);  // active and declarative: dropped
  }
  for (size_t i = 0; i < m.datas.size(); ++i) {
    const DataSegment& seg = m.datas[i];
    if (seg.mode != DataSegment::Mode::Active) continue;
    Memory* mem = inst.memories_[seg.memory];
    uint64_t offset = eval_const(seg.offset, inst);  // i64 on a 64-bit memory
    if (!mem->is64()) offset = static_cast<uint32_t>(offset);
    if (!mem->range_accessible(offset, seg.bytes.size(), true))
      throw Trap(trap_msg::kMemoryOutOfBounds);
    mem->write_or_trap(offset, seg.bytes.data(), seg.bytes.size());  // an imported memory may hold windows
    inst.data_dropped_[i] = 1;
  }
  if (before_start) before_start(inst);
  if (m.start) {
    Function* start = inst.funcs_[*m.start];
    call_function(*start, {});
  }
  return inst;
}

std::vector<Value> Store::invoke(Function& f, std::span<const Value> args) {
  return call_function(f, args);
}

void Store::interrupt() { control_->interrupt(); }

InterruptHandle Store::interrupt_handle() const { return InterruptHandle(control_); }

void Store::set_fuel(uint64_t units) { control_->enable_fuel(units); }

void Store::disable_fuel() { control_->disable_fuel(); }

std::optional<uint64_t> Store::fuel() const {
  if (!(control_->state.load(std::memory_order_acquire) & kExecFuel)) return std::nullopt;
  return control_->fuel.load(std::memory_order_relaxed);
}

namespace {

// The objects of `all` that instance-owned list `v` holds after its `imported` entries.
template <typename T>
std::vector<T*> defined_part(const std::vector<T*>& v, uint32_t imported) {
  return std::vector<T*>(v.begin() + std::min<size_t>(imported, v.size()), v.end());
}

// Removes `owned` from `all`. Objects of a young instance sit at the end of `all`, so the
// search runs backwards.
template <typename T>
void erase_owned(std::vector<std::unique_ptr<T>>& all, const std::vector<T*>& owned) {
  for (T* object : owned) {
    auto it = std::find_if(all.rbegin(), all.rend(), [object](const auto& p) { return p.get() == object; });
    if (it != all.rend()) all.erase(std::next(it).base());
  }
}

}  // namespace

void Store::destroy_instance(Instance& inst) {
  const Module& m = inst.module();
  std::vector<Function*> funcs = defined_part(inst.funcs_, m.num_imported_funcs);
  std::vector<Table*> tables = defined_part(inst.tables_, m.num_imported_tables);
  std::vector<Memory*> memories = defined_part(inst.memories_, m.num_imported_memories);
  std::vector<Global*> globals = defined_part(inst.globals_, m.num_imported_globals);
  std::lock_guard<std::mutex> lock(objects_->mutex);
  erase_owned(objects_->instances, std::vector<Instance*>{&inst});
  erase_owned(objects_->functions, funcs);
  erase_owned(objects_->tables, tables);
  erase_owned(objects_->memories, memories);
  erase_owned(objects_->globals, globals);
}

}  // namespace aperture
