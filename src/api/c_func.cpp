// wasm.h functions: host functions (with environment and finalizer) and calls.
//
// A call checks the argument count, every argument's kind and the room for results
// before entering wasm, and reports each problem as a trap with a message. A host
// callback's trap becomes a wasm trap in its caller; a result of the wrong kind does too.
#include "api/c_api_internal.h"

namespace aperture::capi {
namespace {

// A C callback as a runtime host function. Destroyed with the function (at store
// deletion), which finalizes the embedder's environment.
struct HostFunction {
  wasm_func_callback_t plain = nullptr;
  wasm_func_callback_with_env_t with_env = nullptr;
  void* env = nullptr;
  void (*finalizer)(void*) = nullptr;
  wasm_store_t* store = nullptr;
  FuncType type;

  ~HostFunction() {
    if (finalizer) finalizer(env);
  }

  void call(const uint64_t* args, uint64_t* results) const;
};

void delete_values(std::vector<wasm_val_t>& vals) {
  for (wasm_val_t& v : vals) wasm_val_delete(&v);
}

void HostFunction::call(const uint64_t* args, uint64_t* results) const {
  std::vector<wasm_val_t> in(type.params.size()), out(type.results.size());
  for (size_t i = 0; i < in.size(); ++i) from_slot(store, type.params[i], args[i], &in[i]);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].kind = to_valkind(type.results[i]);
    out[i].of.i64 = 0;
  }
  wasm_val_vec_t in_vec{in.size(), in.data()};
  wasm_val_vec_t out_vec{out.size(), out.data()};
  wasm_trap_t* trap = with_env ? with_env(env, &in_vec, &out_vec) : plain(&in_vec, &out_vec);
  delete_values(in);
  if (trap) {
    Trap t(trap->trap().message);
    wasm_trap_delete(trap);
    delete_values(out);
    throw t;
  }
  std::string error;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!to_slot(store, out[i], type.results[i], &results[i], &error)) {
      delete_values(out);
      throw Trap("host function returned a bad result " + std::to_string(i) + ": " + error);
    }
  }
  delete_values(out);
}

wasm_func_t* new_host_function(wasm_store_t* store, const wasm_functype_t* ctype,
                               std::shared_ptr<HostFunction> host, const char* api_name) {
  std::string error;
  if (store == nullptr) error = "the store is NULL";
  std::optional<FuncType> type;
  if (error.empty()) type = to_functype(ctype, &error);
  if (!type) {
    host->finalizer = nullptr;  // not created: the environment stays the caller's
    set_last_error(std::string(api_name) + ": " + error);
    return nullptr;
  }
  try {
    host->store = store;
    host->type = *type;
    HostCallback callback = [host](HostContext&, const uint64_t* args, uint64_t* results) {
      host->call(args, results);
    };
    Function* f = store->store.create_host_function(*type, std::move(callback), "host");
    return func_handle(store, f);
  } catch (...) {
    host->finalizer = nullptr;
    set_last_error(current_exception_error());
    return nullptr;
  }
}

std::string describe_type(const Function& f) { return f.type().to_string(); }

}  // namespace
}  // namespace aperture::capi

using namespace aperture;
using namespace aperture::capi;

extern "C" {

wasm_func_t* wasm_func_new(wasm_store_t* store, const wasm_functype_t* type,
                           wasm_func_callback_t callback) {
  if (callback == nullptr) {
    set_last_error("wasm_func_new: the callback is NULL");
    return nullptr;
  }
  auto host = std::make_shared<HostFunction>();
  host->plain = callback;
  return new_host_function(store, type, std::move(host), "wasm_func_new");
}

wasm_func_t* wasm_func_new_with_env(wasm_store_t* store, const wasm_functype_t* type,
                                    wasm_func_callback_with_env_t callback, void* env,
                                    void (*finalizer)(void*)) {
  if (callback == nullptr) {
    set_last_error("wasm_func_new_with_env: the callback is NULL");
    return nullptr;
  }
  auto host = std::make_shared<HostFunction>();
  host->with_env = callback;
  host->env = env;
  host->finalizer = finalizer;
  return new_host_function(store, type, std::move(host), "wasm_func_new_with_env");
}

wasm_functype_t* wasm_func_type(const wasm_func_t* f) { return new_functype(f->func()->type()); }
size_t wasm_func_param_arity(const wasm_func_t* f) { return f->func()->type().params.size(); }
size_t wasm_func_result_arity(const wasm_func_t* f) { return f->func()->type().results.size(); }

wasm_trap_t* wasm_func_call(const wasm_func_t* func, const wasm_val_vec_t* args,
                            wasm_val_vec_t* results) {
  if (func == nullptr) return new_trap(nullptr, "wasm_func_call: the function is NULL");
  wasm_store_t* store = func->store;
  Function& f = *func->func();
  const FuncType& type = f.type();
  size_t nargs = args ? args->size : 0;
  size_t nresults = results ? results->size : 0;
  if (nargs != type.params.size())
    return new_trap(store, "wasm_func_call: function of type " + describe_type(f) + " takes " +
                               std::to_string(type.params.size()) + " arguments, got " +
                               std::to_string(nargs));
  if ((nresults && results->data == nullptr) || (nargs && args->data == nullptr))
    return new_trap(store, "wasm_func_call: a vector with a nonzero size has no data");
  std::vector<Value> values(nargs);
  std::string error;
  for (size_t i = 0; i < nargs; ++i) {
    values[i].type = api_type(type.params[i]);  // a typed reference is passed as a funcref
    if (!to_slot(store, args->data[i], type.params[i], &values[i].bits, &error))
      return new_trap(store, "wasm_func_call: argument " + std::to_string(i) + ": " + error);
  }
  // Results are checked after the call: callers commonly pass an empty vector to a
  // function expected to trap (wasm-c-api's trap example), and the trap is the answer.
  wasm_trap_t* trap = nullptr;
  try {
    std::vector<Value> out = store->store.invoke(f, values);
    for (size_t i = 0; i < std::min(out.size(), nresults); ++i)
      from_slot(store, out[i].type, out[i].bits, &results->data[i]);
    if (nresults != out.size())
      trap = new_trap(store, "wasm_func_call: function of type " + describe_type(f) + " returned " +
                                 std::to_string(out.size()) +
                                 " results, but the results vector has room for " +
                                 std::to_string(nresults) + " (pass a vector of that size)");
  } catch (const Trap& t) {
    trap = new_trap(store, t);
  } catch (...) {
    trap = new_trap(store, current_exception_error().message);
  }
  return trap;
}

}  // extern "C"
