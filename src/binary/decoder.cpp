// The WebAssembly 2.0 binary format (spec chapter 5, SIMD included) plus the threads
// proposal (shared memory limits, 0xFE instructions), relaxed SIMD and the typed function
// references of WebAssembly 3.0. One function per grammar rule.
#include "binary/decoder.h"

#include <optional>

#include "binary/limits.h"
#include "binary/reader.h"

namespace aperture {
namespace {

// Out of scope (README feature list): modules using GC types are refused by name.
constexpr const char* kGc = "garbage collection (GC: struct, array, i31, any and eq types, rec and sub)";
UnsupportedFeatureError gc_unsupported(size_t at) {
  return UnsupportedFeatureError(at, kGc, "this build",
                                 "Aperture implements typed function references but not GC");
}

// What an opcode byte that is no instruction of Aperture's belongs to, for the message
// (nullptr: nothing known, "illegal opcode").
const char* proposal_of_opcode(uint8_t b) {
  switch (b) {
    case 0x06: case 0x07: case 0x08: case 0x09: case 0x0A: case 0x18: case 0x19: case 0x1F:
      return "exception handling";
    case 0xD3: return kGc;  // ref.eq
    case 0xFB: return "garbage collection (GC, 0xFB prefix)";
    default: return nullptr;
  }
}

enum SectionId : uint8_t {
  kCustom = 0, kType = 1, kImport = 2, kFunction = 3, kTable = 4, kMemory = 5, kGlobal = 6,
  kExport = 7, kStart = 8, kElement = 9, kCode = 10, kData = 11, kDataCount = 12,
};

// Position of each non-custom section in the required order (DataCount sits before Code).
int section_rank(uint8_t id) {
  static const int kRank[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
  return kRank[id];
}

class Decoder {
 public:
  Decoder(std::span<const uint8_t> bytes, const Features& features)
      : bytes_(bytes), r_(bytes, 0, bytes.size()), features_(features) {}

  Module run() {
    header();
    int last_rank = 0;
    while (!r_.at_end()) {
      size_t id_offset = r_.pos();
      uint8_t id = r_.u8();
      if (id > kDataCount) r_.fail_at(id_offset, "malformed section id");
      uint32_t size = r_.u32();
      if (size > r_.remaining()) r_.fail("length out of bounds");
      size_t end = r_.pos() + size;
      if (id != kCustom) {
        if (section_rank(id) <= last_rank)
          r_.fail_at(id_offset, "unexpected content after last section");
        last_rank = section_rank(id);
      }
      Reader section(bytes_, r_.pos(), end);
      decode_section(id, section);
      if (!section.at_end()) section.fail("section size mismatch");
      r_.skip_to(end);
    }
    finish();
    return std::move(m_);
  }

 private:
  void header() {
    if (bytes_.size() < 4 || bytes_[0] != 0 || bytes_[1] != 'a' || bytes_[2] != 's' ||
        bytes_[3] != 'm')
      r_.fail("magic header not detected");
    r_.fixed_u32();
    if (bytes_.size() < 8) r_.fail("unexpected end");
    if (r_.fixed_u32() != 1) r_.fail_at(4, "unknown binary version");
  }

  void decode_section(uint8_t id, Reader& r) {
    switch (id) {
      case kCustom: custom(r); return;
      case kType: types(r); return;
      case kImport: imports(r); return;
      case kFunction: functions(r); return;
      case kTable: tables(r); return;
      case kMemory: memories(r); return;
      case kGlobal: globals(r); return;
      case kExport: exports(r); return;
      case kStart:
        m_.start_offset = static_cast<uint32_t>(r.pos());
        m_.start = r.u32();
        return;
      case kElement: elements(r); return;
      case kCode: code(r); return;
      case kData: datas(r); return;
      case kDataCount: m_.data_count = r.u32(); return;
    }
  }

  void finish() {
    if (m_.funcs.size() != m_.bodies.size())
      throw DecodeError(bytes_.size(), "function and code section have inconsistent lengths");
    if (m_.data_count && *m_.data_count != m_.datas.size())
      throw DecodeError(bytes_.size(), "data count and data section have inconsistent lengths");
    if (!m_.data_count && uses_data_count_)
      throw DecodeError(data_count_use_offset_, "data count section required");
  }

  // ---- types ----
  // A heap type (s33): an abstract one of function references, or a type index. GC's
  // abstract heap types are refused by name, not as malformed.
  uint32_t heaptype(Reader& r) {
    size_t at = r.pos();
    int64_t v = r.s33();
    if (v >= 0) {
      if (v > kMaxTypedRefIndex) r.fail_at(at, "type index too large for a reference type");
      return kHeapConcrete + static_cast<uint32_t>(v);
    }
    uint8_t b = static_cast<uint8_t>(v & 0x7F);
    switch (b) {
      case 0x70: case 0x6F: case 0x73: case 0x72: return b;
      case 0x6E: case 0x6D: case 0x6C: case 0x6B: case 0x6A: case 0x71:
        throw gc_unsupported(at);
      case 0x69: case 0x74: throw UnsupportedFeatureError(at, "exception handling (exnref)");
      default: r.fail_at(at, "malformed heap type");
    }
  }
  // A value type whose first byte `b` was read at `at`; nullopt when `b` starts none.
  std::optional<ValType> valtype_from(Reader& r, uint8_t b, size_t at) {
    switch (b) {
      case 0x7B: note_simd(at); [[fallthrough]];
      case 0x7F: case 0x7E: case 0x7D: case 0x7C: case 0x70: case 0x6F:
        return static_cast<ValType>(b);
      case kRefNullByte: case kRefByte: {
        uint32_t heap = heaptype(r);
        note_typed_ref(at);
        return make_ref(b == kRefNullByte, heap);
      }
      case 0x73: case 0x72:  // nullfuncref, nullexternref
        note_typed_ref(at);
        return make_ref(true, b);
      case 0x6E: case 0x6D: case 0x6C: case 0x6B: case 0x6A: case 0x71:
        throw gc_unsupported(at);
      case 0x69: case 0x74: throw UnsupportedFeatureError(at, "exception handling (exnref)");
      default: return std::nullopt;
    }
  }
  ValType valtype(Reader& r) {
    size_t at = r.pos();
    uint8_t b = r.u8();
    if (auto t = valtype_from(r, b, at)) return *t;
    r.fail_at(at, "malformed value type");
  }
  ValType reftype(Reader& r) {
    size_t at = r.pos();
    uint8_t b = r.u8();
    auto t = valtype_from(r, b, at);
    if (!t || !is_ref(*t)) r.fail_at(at, "malformed reference type");
    return *t;
  }
  // Limits flags: bit 0 = has maximum, bit 1 = shared (threads; memories only, and the
  // validator requires a maximum), bit 2 = 64-bit (memory64/table64: i64 indices, and the
  // limits are u64 LEBs). The validator checks the values against each kind's range.
  Limits limits(Reader& r, bool allow_shared) {
    size_t at = r.pos();
    uint8_t flags = r.u8();
    Limits l;
    if (flags > 7) r.fail_at(at, "integer too large");
    if ((flags & 2) && !allow_shared) r.fail_at(at, "tables cannot be shared");
    l.shared = (flags & 2) != 0;
    l.is64 = (flags & 4) != 0;
    l.min = l.is64 ? r.u64() : r.u32();
    if (flags & 1) l.max = l.is64 ? r.u64() : r.u32();
    return l;
  }
  MemoryType memtype(Reader& r) { return MemoryType{limits(r, /*allow_shared=*/true)}; }
  TableType tabletype(Reader& r) {
    TableType t;
    t.elem = reftype(r);
    t.limits = limits(r, /*allow_shared=*/false);
    return t;
  }
  GlobalType globaltype(Reader& r) {
    GlobalType g;
    g.type = valtype(r);
    size_t at = r.pos();
    uint8_t mut = r.u8();
    if (mut > 1) r.fail_at(at, "malformed mutability");
    g.mut = mut == 1;
    return g;
  }

  void types(Reader& r) {
    uint32_t n = r.count();
    m_.types.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      size_t at = r.pos();
      uint8_t form = r.u8();
      // rec, sub, sub final, struct, array: GC's type definitions.
      if (form == 0x4E || form == 0x50 || form == 0x4F || form == 0x5F || form == 0x5E)
        throw gc_unsupported(at);
      if (form != 0x60) r.fail_at(at, "integer representation too long (expected 0x60 function type)");
      FuncType t;
      uint32_t np = r.count();
      for (uint32_t k = 0; k < np; ++k) t.params.push_back(valtype(r));
      uint32_t nr = r.count();
      for (uint32_t k = 0; k < nr; ++k) t.results.push_back(valtype(r));
      m_.types.push_back(std::move(t));
    }
  }

  void imports(Reader& r) {
    uint32_t n = r.count(3);
    for (uint32_t i = 0; i < n; ++i) {
      Import imp;
      imp.offset = static_cast<uint32_t>(r.pos());
      imp.module = r.name();
      imp.name = r.name();
      size_t at = r.pos();
      uint8_t kind = r.u8();
      switch (kind) {
        case 0: imp.func_type = r.u32(); ++m_.num_imported_funcs; break;
        case 1: imp.table = tabletype(r); ++m_.num_imported_tables; break;
        case 2: imp.memory = memtype(r); ++m_.num_imported_memories; break;
        case 3: imp.global = globaltype(r); ++m_.num_imported_globals; break;
        default: r.fail_at(at, "malformed import kind");
      }
      imp.kind = static_cast<ExternKind>(kind);
      m_.imports.push_back(std::move(imp));
    }
  }

  void functions(Reader& r) {
    uint32_t n = r.count();
    m_.funcs.reserve(n);
    for (uint32_t i = 0; i < n; ++i) m_.funcs.push_back(r.u32());
  }
  // A table is a table type, or 0x40 0x00, a table type and an initialiser expression
  // (WebAssembly 3.0; a table of non-nullable references needs one).
  void tables(Reader& r) {
    uint32_t n = r.count(2);
    for (uint32_t i = 0; i < n; ++i) {
      m_.table_offsets.push_back(static_cast<uint32_t>(r.pos()));
      ConstExpr init;
      if (r.pos() < r.end() && bytes_[r.pos()] == 0x40) {
        r.u8();
        size_t at = r.pos();
        if (r.u8() != 0x00) r.fail_at(at, "malformed table");
        m_.tables.push_back(tabletype(r));
        init = const_expr(r);
        note_typed_ref(m_.table_offsets.back());
      } else {
        m_.tables.push_back(tabletype(r));
      }
      m_.table_inits.push_back(std::move(init));
    }
  }
  void memories(Reader& r) {
    uint32_t n = r.count(2);
    for (uint32_t i = 0; i < n; ++i) {
      m_.memory_offsets.push_back(static_cast<uint32_t>(r.pos()));
      m_.memories.push_back(memtype(r));
    }
  }
  void globals(Reader& r) {
    uint32_t n = r.count(3);
    for (uint32_t i = 0; i < n; ++i) {
      GlobalDef g;
      g.type = globaltype(r);
      g.init = const_expr(r);
      m_.globals.push_back(std::move(g));
    }
  }
  void exports(Reader& r) {
    uint32_t n = r.count(3);
    for (uint32_t i = 0; i < n; ++i) {
      Export e;
      e.offset = static_cast<uint32_t>(r.pos());
      e.name = r.name();
      size_t at = r.pos();
      uint8_t kind = r.u8();
      if (kind > 3) r.fail_at(at, "malformed export kind");
      e.kind = static_cast<ExternKind>(kind);
      e.index = r.u32();
      m_.exports.push_back(std::move(e));
    }
  }

  // ---- segments ----
  ConstExpr func_ref_item(Reader& r) {
    ConstExpr e;
    e.offset = static_cast<uint32_t>(r.pos());
    Instr in;
    in.op = Opcode::RefFunc;
    in.offset = e.offset;
    in.a = r.u32();
    e.code.push_back(in);
    return e;
  }
  void elem_kind(Reader& r) {
    size_t at = r.pos();
    if (r.u8() != 0x00) r.fail_at(at, "malformed element kind");
  }
  void elements(Reader& r) {
    uint32_t n = r.count();
    for (uint32_t i = 0; i < n; ++i) {
      size_t at = r.pos();
      uint32_t flags = r.u32();
      if (flags > 7) r.fail_at(at, "malformed elements segment kind");
      ElemSegment seg;
      bool passive_or_declarative = flags & 1;
      bool explicit_table = flags & 2;
      bool expressions = flags & 4;
      if (!passive_or_declarative) {
        seg.mode = ElemSegment::Mode::Active;
        if (explicit_table) seg.table = r.u32();
        seg.offset = const_expr(r);
      } else {
        seg.mode = explicit_table ? ElemSegment::Mode::Declarative : ElemSegment::Mode::Passive;
      }
      // Function indices make `(ref func)` items (WebAssembly 3.0), flag 4 implies funcref;
      // the others name the element kind / reference type.
      if (!expressions) seg.type = make_ref(false, kHeapFunc);
      if (passive_or_declarative || explicit_table) {
        if (expressions) seg.type = reftype(r);
        else elem_kind(r);
      }
      uint32_t items = r.count();
      for (uint32_t k = 0; k < items; ++k)
        seg.items.push_back(expressions ? const_expr(r) : func_ref_item(r));
      m_.elems.push_back(std::move(seg));
    }
  }
  void datas(Reader& r) {
    uint32_t n = r.count();
    for (uint32_t i = 0; i < n; ++i) {
      size_t at = r.pos();
      uint32_t flags = r.u32();
      DataSegment seg;
      switch (flags) {
        case 0: seg.mode = DataSegment::Mode::Active; seg.offset = const_expr(r); break;
        case 1: seg.mode = DataSegment::Mode::Passive; break;
        case 2:
          seg.mode = DataSegment::Mode::Active;
          seg.memory = r.u32();
          seg.offset = const_expr(r);
          break;
        default: r.fail_at(at, "malformed data segment kind");
      }
      size_t len_at = r.pos();
      uint32_t len = r.u32();
      if (len > r.remaining()) r.fail_at(len_at, "unexpected end of section or function");
      auto b = r.bytes(len);
      seg.bytes.assign(b.begin(), b.end());
      m_.datas.push_back(std::move(seg));
    }
  }

  // ---- code ----
  void code(Reader& r) {
    uint32_t n = r.count();
    m_.bodies.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      size_t at = r.pos();
      uint32_t size = r.u32();
      if (size > r.remaining()) r.fail_at(at, "unexpected end");
      size_t end = r.pos() + size;
      Reader body_reader(bytes_, r.pos(), end);
      FunctionBody body;
      body.offset = static_cast<uint32_t>(at);
      body.code_offset = static_cast<uint32_t>(r.pos());
      locals(body_reader, body);
      instructions(body_reader, body.code, &body.br_table_targets, /*const_expr=*/false);
      if (!body_reader.at_end()) body_reader.fail("section size mismatch");
      m_.bodies.push_back(std::move(body));
      r.skip_to(end);
    }
  }
  void locals(Reader& r, FunctionBody& body) {
    uint32_t n = r.count(2);
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; ++i) {
      size_t at = r.pos();
      uint32_t count = r.u32();
      total += count;
      if (total > kMaxFunctionLocals) r.fail_at(at, "too many locals");
      module_locals_ += count;
      if (module_locals_ > kMaxModuleLocals)
        r.fail_at(at, "too many locals: the module declares more than " +
                          std::to_string(kMaxModuleLocals) +
                          " locals in all its functions (Aperture's limit, docs/limits.md)");
      body.add_locals(count, valtype(r));
    }
  }

  ConstExpr const_expr(Reader& r) {
    ConstExpr e;
    e.offset = static_cast<uint32_t>(r.pos());
    instructions(r, e.code, nullptr, /*const_expr=*/true);
    e.code.pop_back();  // the final End
    return e;
  }

  // Decodes instructions up to and including the End that closes depth 0.
  void instructions(Reader& r, std::vector<Instr>& out, std::vector<uint32_t>* br_targets,
                    bool const_expr) {
    int depth = 0;
    std::vector<uint32_t> scratch;
    std::vector<uint32_t>& targets = br_targets ? *br_targets : scratch;
    for (;;) {
      if (r.at_end()) {
        r.fail(const_expr ? "unexpected end of section or function"
                          : "unexpected end of section or function (END opcode expected)");
      }
      Instr in = instruction(r, targets);
      switch (in.op) {
        case Opcode::Block: case Opcode::Loop: case Opcode::If: ++depth; break;
        case Opcode::End: --depth; break;
        case Opcode::MemoryInit: case Opcode::DataDrop:
          if (!uses_data_count_) data_count_use_offset_ = in.offset;
          uses_data_count_ = true;
          break;
        default: break;
      }
      out.push_back(in);
      if (depth < 0) return;
    }
  }

  void note_simd(size_t at) {
    if (!m_.simd_offset) m_.simd_offset = static_cast<uint32_t>(at);
  }
  void note_typed_ref(size_t at) {
    if (!m_.typed_ref_offset) m_.typed_ref_offset = static_cast<uint32_t>(at);
  }

  void zero_byte(Reader& r) {
    size_t at = r.pos();
    if (r.u8() != 0) r.fail_at(at, "zero byte expected");
  }

  // A memory index immediate: a u32 with multiple memories, else a zero byte (2.0).
  uint32_t memory_index(Reader& r) {
    if (features_.multi_memory) return r.u32();
    zero_byte(r);
    return 0;
  }

  // memarg: alignment flags, [memory index], offset. With multiple memories, bit 6 of the
  // flags says a memory index follows; flags of 128 and above are malformed.
  void memarg(Reader& r, Instr& in) {
    size_t at = r.pos();
    uint32_t flags = r.u32();
    if (features_.multi_memory) {
      if (flags >= 128) r.fail_at(at, "malformed memop flags");
      if (flags & 64) in.b = r.u32();
      flags &= 63;
    }
    in.a = flags;
    // u64 for every memory: the validator refuses offsets above 2^32-1 on 32-bit memories.
    in.imm = r.u64();
  }

  Instr instruction(Reader& r, std::vector<uint32_t>& targets) {
    Instr in;
    in.offset = static_cast<uint32_t>(r.pos());
    uint8_t b = r.u8();
    uint8_t prefix = 0;
    uint32_t code = b;
    if (b == 0xFC || b == 0xFD || b == 0xFE) {
      prefix = b;
      code = r.u32();
    }
    if (!opcode_from_bytes(prefix, code, &in.op)) {
      if (const char* proposal = prefix == 0 ? proposal_of_opcode(b) : nullptr)
        throw UnsupportedFeatureError(in.offset, proposal);
      r.fail_at(in.offset, "illegal opcode");
    }
    if (prefix == 0xFD) note_simd(in.offset);
    if (in.op == Opcode::CallRef || in.op == Opcode::ReturnCallRef ||
        in.op == Opcode::RefAsNonNull || in.op == Opcode::BrOnNull || in.op == Opcode::BrOnNonNull)
      note_typed_ref(in.offset);
    const OpcodeInfo* info = opcode_info(in.op);
    switch (info->imm) {
      case ImmKind::None: break;
      case ImmKind::BlockType: in.block = blocktype(r); break;
      case ImmKind::Label:
      case ImmKind::FuncIdx:
      case ImmKind::LocalIdx:
      case ImmKind::GlobalIdx:
      case ImmKind::TableIdx:
      case ImmKind::DataIdx:
      case ImmKind::ElemIdx:
      case ImmKind::TypeIdx: in.a = r.u32(); break;
      case ImmKind::LabelTable: {
        uint32_t n = r.count();
        in.a = static_cast<uint32_t>(targets.size());
        in.b = n;
        for (uint32_t i = 0; i <= n; ++i) targets.push_back(r.u32());
        break;
      }
      case ImmKind::CallIndirect: in.a = r.u32(); in.b = r.u32(); break;
      case ImmKind::MemArg: memarg(r, in); break;
      case ImmKind::MemIdx: in.a = memory_index(r); break;
      case ImmKind::I32: in.imm = static_cast<uint32_t>(r.s32()); break;
      case ImmKind::I64: in.imm = static_cast<uint64_t>(r.s64()); break;
      case ImmKind::F32: in.imm = r.fixed_u32(); break;
      case ImmKind::F64: in.imm = r.fixed_u64(); break;
      case ImmKind::RefType: in.a = static_cast<uint32_t>(make_ref(true, heaptype(r))); break;
      case ImmKind::SelectT: {
        uint32_t n = r.count();
        in.a = n;
        for (uint32_t i = 0; i < n; ++i) {
          ValType t = valtype(r);
          if (i == 0) in.b = static_cast<uint32_t>(t);
        }
        break;
      }
      case ImmKind::DataMem: in.a = r.u32(); in.b = memory_index(r); break;
      case ImmKind::MemMem: in.a = memory_index(r); in.b = memory_index(r); break;
      case ImmKind::ElemTable:
      case ImmKind::TableTable: in.a = r.u32(); in.b = r.u32(); break;
      case ImmKind::Reserved0: zero_byte(r); break;
      case ImmKind::V128:
      case ImmKind::Shuffle:
        in.imm = r.fixed_u64();
        in.a = r.fixed_u32();
        in.b = r.fixed_u32();
        break;
      case ImmKind::Lane: in.lane = r.u8(); break;
      case ImmKind::MemArgLane:
        memarg(r, in);
        in.lane = r.u8();
        break;
    }
    return in;
  }

  BlockType blocktype(Reader& r) {
    BlockType bt;
    size_t at = r.pos();
    uint8_t b = r.u8();
    if (b == 0x40) return bt;
    if (auto t = valtype_from(r, b, at)) {
      bt.kind = BlockType::Kind::Value;
      bt.value = *t;
      return bt;
    }
    r.skip_to(at);
    int64_t index = r.s33();
    if (index < 0) r.fail_at(at, "malformed block type");
    if (index > 0xFFFFFFFF) r.fail_at(at, "integer too large");
    bt.kind = BlockType::Kind::TypeIndex;
    bt.type_index = static_cast<uint32_t>(index);
    return bt;
  }

  // ---- custom sections ----
  void custom(Reader& r) {
    CustomSection c;
    c.name = r.name();
    c.offset = static_cast<uint32_t>(r.pos());
    auto b = r.bytes(r.remaining());
    c.bytes.assign(b.begin(), b.end());
    if (c.name == "name") name_section(c);
    m_.customs.push_back(std::move(c));
  }

  // Best effort: a broken name section only loses names, it never fails the module.
  void name_section(const CustomSection& c) {
    try {
      std::span<const uint8_t> bytes(c.bytes);
      Reader r(bytes, 0, bytes.size());
      while (!r.at_end()) {
        uint8_t id = r.u8();
        uint32_t size = r.u32();
        if (size > r.remaining()) return;
        Reader sub(bytes, r.pos(), r.pos() + size);
        if (id == 0) m_.module_name = sub.name();
        if (id == 1) {
          uint32_t n = sub.count(2);
          for (uint32_t i = 0; i < n; ++i) {
            uint32_t index = sub.u32();
            m_.function_names[index] = sub.name();
          }
        }
        r.skip_to(r.pos() + size);
      }
    } catch (const DecodeError&) {
    }
  }

  std::span<const uint8_t> bytes_;
  Reader r_;
  Features features_;
  Module m_;
  uint64_t module_locals_ = 0;  // locals declared so far, all functions
  bool uses_data_count_ = false;
  uint32_t data_count_use_offset_ = 0;
};

}  // namespace

Module decode_module(std::span<const uint8_t> bytes, const Features& features) {
  return Decoder(bytes, features).run();
}

}  // namespace aperture
