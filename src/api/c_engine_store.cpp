// wasm.h configs, engines and stores; Aperture's engine choice, version and error values.
#include <cstdlib>
#include <new>

#include "aperture/region.h"
#include "api/c_api_internal.h"

// The header's version macros must match the project version CMake builds.
static_assert(APERTURE_VERSION_MAJOR == APERTURE_PROJECT_VERSION_MAJOR &&
                  APERTURE_VERSION_MINOR == APERTURE_PROJECT_VERSION_MINOR &&
                  APERTURE_VERSION_PATCH == APERTURE_PROJECT_VERSION_PATCH,
              "include/aperture/aperture.h version macros differ from project(VERSION)");

namespace aperture::capi {

namespace {

thread_local std::optional<ErrorInfo> t_last_error;

std::string engine_list() {
  std::string out;
  for (const std::string& name : available_engines()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// The engine called `name`, or an error naming the ones that exist.
std::optional<EngineKind> find_engine(const std::string& name, std::string* error) {
  std::optional<EngineKind> kind = engine_from_name(name);
  if (!kind) *error = "unknown engine '" + name + "'; available: " + engine_list();
  return kind;
}

}  // namespace

void set_last_error(ErrorInfo e) { t_last_error = std::move(e); }
void set_last_error(const std::string& message) { set_last_error(ErrorInfo{message, 0}); }

ErrorInfo current_exception_error() {
  try {
    throw;
  } catch (const RegionError& e) {
    return {e.what(), e.wasi_errno()};
  } catch (const std::bad_alloc&) {
    return {"out of memory", 0};
  } catch (const std::exception& e) {
    return {e.what(), 0};
  } catch (...) {
    return {"unknown error", 0};
  }
}

}  // namespace aperture::capi

using namespace aperture;
using namespace aperture::capi;

extern "C" {

const char* aperture_version(void) { return APERTURE_PROJECT_VERSION; }

// ---- Errors ----

void aperture_error_delete(aperture_error_t* e) { delete e; }
const char* aperture_error_message(const aperture_error_t* e) {
  return e ? e->info.message.c_str() : "";
}
uint32_t aperture_error_wasi_errno(const aperture_error_t* e) { return e ? e->info.wasi_errno : 0; }
aperture_error_t* aperture_last_error(void) {
  if (!t_last_error) return nullptr;
  auto* e = new (std::nothrow) aperture_error_t{std::move(*t_last_error)};
  t_last_error.reset();
  return e;
}

// ---- Configs, engines, stores ----

wasm_config_t* wasm_config_new(void) { return new (std::nothrow) wasm_config_t; }
void wasm_config_delete(wasm_config_t* c) { delete c; }

aperture_error_t* aperture_config_set_engine(wasm_config_t* config, const char* name) {
  if (config == nullptr) return new_error("aperture_config_set_engine: the config is NULL");
  std::string error;
  std::optional<EngineKind> kind = find_engine(name ? name : "", &error);
  if (!kind) return new_error("aperture_config_set_engine: " + error);
  config->engine.kind = *kind;
  return nullptr;
}

aperture_error_t* aperture_config_set_opt_level(wasm_config_t* config, int level) {
  if (config == nullptr) return new_error("aperture_config_set_opt_level: the config is NULL");
  if (level < 0 || level > 3)
    return new_error("aperture_config_set_opt_level: level " + std::to_string(level) +
                     " is outside 0..3");
  config->engine.opt_level = level;
  return nullptr;
}

size_t aperture_engine_count(void) { return available_engines().size(); }

const char* aperture_engine_name_at(size_t index) {
  std::vector<std::string> names = available_engines();
  if (index >= names.size()) return nullptr;
  return engine_name(*engine_from_name(names[index]));  // static storage
}

wasm_engine_t* wasm_engine_new(void) {
  auto* engine = new (std::nothrow) wasm_engine_t;
  // $APERTURE_ENGINE picks the default engine (so that unchanged programs can be run, and
  // tested, with every engine). An unknown name is an error, not a silent fallback.
  const char* from_env = std::getenv("APERTURE_ENGINE");
  if (engine == nullptr || from_env == nullptr || *from_env == '\0') return engine;
  std::string error;
  std::optional<EngineKind> kind = find_engine(from_env, &error);
  if (!kind) {
    set_last_error("wasm_engine_new: $APERTURE_ENGINE: " + error);
    delete engine;
    return nullptr;
  }
  engine->engine.kind = *kind;
  return engine;
}

wasm_engine_t* wasm_engine_new_with_config(wasm_config_t* config) {
  auto* engine = new (std::nothrow) wasm_engine_t;
  if (engine && config) engine->engine = config->engine;
  delete config;
  return engine;
}

void wasm_engine_delete(wasm_engine_t* e) { delete e; }

const char* aperture_engine_name(const wasm_engine_t* e) { return e ? engine_name(e->engine.kind) : ""; }

wasm_store_t* wasm_store_new(wasm_engine_t* engine) {
  if (engine == nullptr) {
    set_last_error("wasm_store_new: the engine is NULL (create one with wasm_engine_new)");
    return nullptr;
  }
  try {
    return new wasm_store_t(engine);
  } catch (...) {
    set_last_error(current_exception_error());
    return nullptr;
  }
}

void wasm_store_delete(wasm_store_t* s) { delete s; }

}  // extern "C"
