#include "compile/artifact.h"

#include <cstring>

#include "compile/abi.h"
#include "compile/codegen_api.h"
#include "compile/codegen_id.h"
#include "compile/compile_target.h"
#include "target/target.h"
#include "compile/engine.h"

namespace aperture::native {
namespace {

constexpr char kMagic[8] = {'\0', 'a', 'p', 'r', 't', 'c', 'w', 'a'};
constexpr uint32_t kFormatVersion = 2;  // 2: the target machine
constexpr size_t kIdBytes = 64;

// Fixed-size header, little-endian, written field by field.
struct Header {
  uint32_t format_version = kFormatVersion;
  char codegen_id[kIdBytes] = {};
  Digest abi{};
  Digest cpu{};  // this CPU's fingerprint, or for a target's code the digest of its name
  char target[kIdBytes] = {};  // compile target name ("aarch64-linux-gnu+lse")
  uint32_t for_target = 0;     // 1: code for any CPU of `target`; 0: for the CPU `cpu`
  Digest module_hash{};
  uint32_t opt_level = 0;
  uint64_t wasm_size = 0;
  uint32_t object_count = 0;
  uint32_t entry_type_count = 0;
};

// Writes into a buffer of the exact final size.
class Writer {
 public:
  explicit Writer(size_t size) : out(size) {}
  void bytes(const void* p, size_t n) {
    if (n > out.size() - pos_) throw Error("artifact size miscalculated");
    if (n != 0) std::memcpy(out.data() + pos_, p, n);
    pos_ += n;
  }
  void u32(uint32_t v) { bytes(&v, 4); }
  void u64(uint64_t v) { bytes(&v, 8); }
  size_t written() const { return pos_; }
  std::vector<uint8_t> out;

 private:
  size_t pos_ = 0;
};

constexpr size_t kHeaderBytes = sizeof kMagic + 4 + kIdBytes + 2 * 32 + kIdBytes + 4 + 32 + 4 + 8 + 4 + 4;
static_assert(kHeaderBytes == kArtifactHeaderBytes);

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> in) : in_(in) {}
  const uint8_t* take(size_t n) {
    if (n > in_.size() - pos_) throw ArtifactError(ArtifactError::Reason::Corrupt, "truncated");
    const uint8_t* p = in_.data() + pos_;
    pos_ += n;
    return p;
  }
  void bytes(void* p, size_t n) { std::memcpy(p, take(n), n); }
  uint32_t u32() { uint32_t v; bytes(&v, 4); return v; }
  uint64_t u64() { uint64_t v; bytes(&v, 8); return v; }
  size_t remaining() const { return in_.size() - pos_; }

 private:
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
};

std::string id_text(const char (&id)[kIdBytes]) { return std::string(id, strnlen(id, kIdBytes)); }

void fixed_text(const std::string& text, char (&out)[kIdBytes]) {
  std::memset(out, 0, kIdBytes);
  std::memcpy(out, text.data(), std::min(text.size(), kIdBytes));
}

Digest target_digest(const std::string& name) {
  Sha256 h;
  h.update(std::string("target:") + name);
  return h.finish();
}

// Refuses code made for another machine, or for a CPU feature this one lacks.
void check_target(const Header& h) {
  using Reason = ArtifactError::Reason;
  std::string name = id_text(h.target);
  std::string here = target::host_target_name();
  CompileTarget t;
  try {
    t = parse_compile_target(name);
  } catch (const Error&) {
    throw ArtifactError(Reason::OtherTarget, "compiled for an unknown target '" + name +
                                                 "'; this runtime runs " + here + " code");
  }
  if (t.machine != here)
    throw ArtifactError(Reason::OtherTarget,
                        "compiled for " + t.name + ", but this runtime runs " + here +
                            " code: compile the module for it (aperture compile --target " + here +
                            ", or without --target on this machine)");
  if (h.for_target > 1) throw ArtifactError(Reason::Corrupt, "corrupt compiled code (target)");
  if (h.for_target == 0) {
    if (h.cpu != target::cpu_fingerprint())
      throw ArtifactError(Reason::OtherCpu, "compiled for another CPU (this one is " +
                                                target::cpu_description() +
                                                "): compile it again here, or for any CPU with "
                                                "aperture compile --target " + here);
    return;
  }
  if (h.cpu != target_digest(t.name) || t.name != name)
    throw ArtifactError(Reason::Corrupt, "corrupt compiled code (target)");
  for (const std::string& feature : t.features)
    if (!target::cpu_has_feature(feature))
      throw ArtifactError(Reason::OtherCpu, "compiled for " + t.name + ", which needs the CPU feature " +
                                                feature + " that this CPU (" + target::cpu_description() +
                                                ") lacks: compile it with --target " + t.machine);
}

// The header after the magic (fields little-endian, in the order write_artifact writes
// them); refuses code for another machine or CPU, or made by another build.
Header read_header(Reader& r) {
  using Reason = ArtifactError::Reason;
  Header h;
  h.format_version = r.u32();
  r.bytes(h.codegen_id, kIdBytes);
  r.bytes(h.abi.data(), 32);
  r.bytes(h.cpu.data(), 32);
  r.bytes(h.target, kIdBytes);
  h.for_target = r.u32();
  r.bytes(h.module_hash.data(), 32);
  h.opt_level = r.u32();
  h.wasm_size = r.u64();
  h.object_count = r.u32();
  h.entry_type_count = r.u32();
  // The machine first: code for another one is refused whichever build made it.
  if (h.format_version == kFormatVersion) check_target(h);
  if (h.format_version != kFormatVersion || id_text(h.codegen_id) != codegen_identity() ||
      h.abi != abi_fingerprint())
    throw ArtifactError(Reason::OtherBuild, "compiled by another build of Aperture (" +
                                                id_text(h.codegen_id) + "; this is " +
                                                codegen_identity() + "): compile it again");
  return h;
}

}  // namespace

const std::string& codegen_identity() {
  static const std::string id = APERTURE_CODEGEN_ID;
  return id;
}

const Digest& abi_fingerprint() {
  static const Digest digest = [] {
    const RuntimeLayout& l = runtime_layout();
    Sha256 h;
    for (uint32_t v : {kCodegenInterfaceVersion, kContextHeaderSize, l.function_type_id,
                       l.function_engine, l.function_code, l.function_context, l.table_begin,
                       l.table_end})
      h.update({reinterpret_cast<const uint8_t*>(&v), sizeof v});
#define APERTURE_HELPER_NAME(Name, ...) h.update(std::string(#Name "(" #__VA_ARGS__ ")"));
    APERTURE_HELPERS(APERTURE_HELPER_NAME)
#undef APERTURE_HELPER_NAME
    return h.finish();
  }();
  return digest;
}

bool looks_like_artifact(std::span<const uint8_t> bytes) {
  return bytes.size() >= sizeof kMagic && std::memcmp(bytes.data(), kMagic, sizeof kMagic) == 0;
}

std::vector<uint8_t> write_artifact(const CompiledCode& code, const Digest& module_hash,
                                    int opt_level, std::span<const uint8_t> wasm,
                                    const CompileTarget* target) {
  size_t size = kHeaderBytes + wasm.size() + 4 * code.entry_types.size() + 32;
  for (const auto& object : code.objects) size += 8 + object.size();
  Writer w(size);
  w.bytes(kMagic, sizeof kMagic);
  w.u32(kFormatVersion);
  char id[kIdBytes];
  fixed_text(codegen_identity(), id);
  w.bytes(id, kIdBytes);
  w.bytes(abi_fingerprint().data(), 32);
  std::string target_name = target ? target->name : std::string(target::host_target_name());
  Digest cpu = target ? target_digest(target_name) : target::cpu_fingerprint();
  w.bytes(cpu.data(), 32);
  char target_text[kIdBytes];
  fixed_text(target_name, target_text);
  w.bytes(target_text, kIdBytes);
  w.u32(target ? 1 : 0);
  w.bytes(module_hash.data(), 32);
  w.u32(static_cast<uint32_t>(opt_level));
  w.u64(wasm.size());
  w.u32(static_cast<uint32_t>(code.objects.size()));
  w.u32(static_cast<uint32_t>(code.entry_types.size()));
  w.bytes(wasm.data(), wasm.size());
  for (uint32_t t : code.entry_types) w.u32(t);
  for (const auto& object : code.objects) w.u64(object.size());
  for (const auto& object : code.objects) w.bytes(object.data(), object.size());
  Digest checksum = sha256(std::span<const uint8_t>(w.out.data(), w.written()));
  w.bytes(checksum.data(), checksum.size());
  return std::move(w.out);
}

ArtifactContents read_artifact(std::span<const uint8_t> bytes) {
  using Reason = ArtifactError::Reason;
  if (!looks_like_artifact(bytes))
    throw ArtifactError(Reason::NotAnArtifact, "not a compiled Aperture artifact");
  if (bytes.size() < sizeof kMagic + 32)
    throw ArtifactError(Reason::Corrupt, "corrupt compiled code (truncated)");
  std::span<const uint8_t> body = bytes.first(bytes.size() - 32);
  Digest checksum = sha256(body);
  if (std::memcmp(checksum.data(), bytes.data() + body.size(), 32) != 0)
    throw ArtifactError(Reason::Corrupt, "corrupt compiled code (checksum mismatch)");

  Reader r(body);
  r.take(sizeof kMagic);
  Header h = read_header(r);

  ArtifactContents out;
  out.module_hash = h.module_hash;
  out.opt_level = static_cast<int>(h.opt_level);
  if (h.wasm_size > r.remaining()) throw ArtifactError(Reason::Corrupt, "corrupt compiled code");
  const uint8_t* wasm = r.take(h.wasm_size);
  out.wasm.assign(wasm, wasm + h.wasm_size);
  if (uint64_t{h.entry_type_count} * 4 > r.remaining() || uint64_t{h.object_count} * 8 > r.remaining())
    throw ArtifactError(Reason::Corrupt, "corrupt compiled code");
  out.code.entry_types.resize(h.entry_type_count);
  for (uint32_t& t : out.code.entry_types) t = r.u32();
  std::vector<uint64_t> sizes(h.object_count);
  for (uint64_t& s : sizes) s = r.u64();
  for (uint64_t s : sizes) {
    if (s > r.remaining()) throw ArtifactError(Reason::Corrupt, "corrupt compiled code");
    const uint8_t* p = r.take(s);
    out.code.objects.emplace_back(p, p + s);
  }
  if (r.remaining() != 0) throw ArtifactError(Reason::Corrupt, "corrupt compiled code");
  if (!out.wasm.empty() && sha256(out.wasm) != out.module_hash)
    throw ArtifactError(Reason::Corrupt, "corrupt compiled code (module hash)");
  return out;
}

ArtifactHeader read_artifact_header(std::span<const uint8_t> bytes) {
  if (!looks_like_artifact(bytes))
    throw ArtifactError(ArtifactError::Reason::NotAnArtifact, "not a compiled Aperture artifact");
  if (bytes.size() < kArtifactHeaderBytes)
    throw ArtifactError(ArtifactError::Reason::Corrupt, "corrupt compiled code (truncated)");
  Reader r(bytes.first(kArtifactHeaderBytes));
  r.take(sizeof kMagic);
  Header h = read_header(r);
  ArtifactHeader out;
  out.module_hash = h.module_hash;
  out.opt_level = static_cast<int>(h.opt_level);
  out.wasm_size = h.wasm_size;
  out.object_count = h.object_count;
  out.entry_type_count = h.entry_type_count;
  return out;
}

uint64_t artifact_size(const ArtifactHeader& h, std::span<const uint8_t> index) {
  if (index.size() < h.index_bytes())
    throw ArtifactError(ArtifactError::Reason::Corrupt, "corrupt compiled code (truncated)");
  uint64_t size = kArtifactHeaderBytes + h.index_bytes() + 32;
  const uint8_t* sizes = index.data() + h.wasm_size + 4 * uint64_t{h.entry_type_count};
  for (uint32_t i = 0; i < h.object_count; ++i) {
    uint64_t s;
    std::memcpy(&s, sizes + 8 * uint64_t{i}, 8);
    if (s > UINT64_MAX - size) throw ArtifactError(ArtifactError::Reason::Corrupt, "corrupt compiled code");
    size += s;
  }
  return size;
}

}  // namespace aperture::native
