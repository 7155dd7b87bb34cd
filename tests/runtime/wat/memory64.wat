;; A 64-bit memory (memory64): i64 addresses above 4 GiB, i64 memory.size/grow, bulk
;; operations with i64 operands, and the traps of the explicit bounds compare
;; (docs/architecture.md, "64-bit memories"). 65537 pages: 4 GiB + 64 KiB, committed by
;; mprotect only, so the test touches two pages.
(module
  (memory (export "mem") i64 65537)
  (func (export "store") (param i64 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "load") (param i64) (result i64) (i64.load (local.get 0)))
  (func (export "load8") (param i64) (result i32) (i32.load8_u (local.get 0)))
  ;; Offsets above 4 GiB (wabt 1.0.32 writes none; the spec tests have them, address64).
  (func (export "load_offset_16") (param i64) (result i64) (i64.load offset=16 (local.get 0)))
  (func (export "size") (result i64) (memory.size))
  (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
  (func (export "fill") (param i64 i32 i64) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i64 i64 i64) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  ;; SIMD loads and stores: the whole 64-bit address, and the same bounds compare.
  (func (export "v_store") (param i64 i64) (v128.store (local.get 0) (i64x2.splat (local.get 1))))
  (func (export "v_load") (param i64) (result i64) (i64x2.extract_lane 1 (v128.load (local.get 0))))
  (func (export "v_load32_splat") (param i64) (result i32)
    (i32x4.extract_lane 3 (v128.load32_splat (local.get 0))))
  (func (export "v_store_lane") (param i64 i64)
    (v128.store64_lane 1 (local.get 0) (i64x2.splat (local.get 1))))
  (func (export "v_load_lane") (param i64) (result i64)
    (i64x2.extract_lane 1 (v128.load64_lane 1 (local.get 0) (v128.const i64x2 0 0)))))
