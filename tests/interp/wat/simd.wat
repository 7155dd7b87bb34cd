;; SIMD in the engine under test beyond the spec suite: v128 in params, results, locals
;; between scalar locals, globals, blocks, branches, select, calls and call_indirect, and
;; accesses at the end of memory.
(module
  ;; a host function with v128 among scalars: two slots, low half first, both ways
  (import "env" "mix" (func $mix (param i32 v128 i64) (result v128 i32)))
  (memory (export "memory") 1)
  (global $g (export "g") (mut v128) (v128.const i64x2 1 2))
  (type $vv_v (func (param v128 v128) (result v128)))
  (table 1 funcref)
  (elem (i32.const 0) $add)

  (func $add (export "add") (type $vv_v) (i32x4.add (local.get 0) (local.get 1)))

  ;; i32 and i64 locals around v128 ones: each keeps its own slots.
  (func (export "mixed") (param $a i32) (param $v v128) (param $b i64) (result v128 i32 i64)
    (local $x i32) (local $w v128) (local $y i64)
    (local.set $x (i32.add (local.get $a) (i32.const 1)))
    (local.set $w (i64x2.splat (local.get $b)))
    (local.set $y (i64.mul (local.get $b) (i64.const 3)))
    (block (result v128)
      (br_if 0 (i32x4.add (local.get $v) (local.get $w)) (i32.eqz (local.get $a)))
      (drop)
      (select (local.get $v) (local.get $w) (local.get $a)))
    (local.get $x)
    (local.get $y))

  ;; calls through the table with a v128 signature
  (func (export "indirect") (param v128 v128) (result v128)
    (call_indirect (type $vv_v) (local.get 0) (local.get 1) (i32.const 0)))

  (func (export "via_host") (param i32 v128 i64) (result v128 i32)
    (call $mix (local.get 0) (local.get 1) (local.get 2)))

  (func (export "get_g") (result v128) (global.get $g))
  (func (export "set_g") (param v128) (global.set $g (local.get 0)))

  ;; lane sums through a loop: the scalar value of a SIMD kernel
  (func (export "sum_bytes") (param $p i32) (param $n i32) (result i32)
    (local $acc v128)
    (block $done
      (loop $next
        (br_if $done (i32.lt_u (local.get $n) (i32.const 16)))
        (local.set $acc (i16x8.add (local.get $acc)
          (i16x8.extadd_pairwise_i8x16_u (v128.load (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 16)))
        (br $next)))
    (i32x4.extract_lane 0 (local.tee $acc
      (i32x4.extadd_pairwise_i16x8_u (local.get $acc))))
    (i32.add (i32x4.extract_lane 1 (local.get $acc)))
    (i32.add (i32x4.extract_lane 2 (local.get $acc)))
    (i32.add (i32x4.extract_lane 3 (local.get $acc))))

  ;; relaxed SIMD: Aperture's choices (docs/architecture.md, "SIMD"), the same in every engine
  (func (export "relaxed_madd") (param v128 v128 v128) (result v128)
    (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "relaxed_nmadd") (param v128 v128 v128) (result v128)
    (f32x4.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "relaxed_trunc") (param v128) (result v128) (i32x4.relaxed_trunc_f32x4_s (local.get 0)))
  (func (export "relaxed_trunc_u_zero") (param v128) (result v128)
    (i32x4.relaxed_trunc_f64x2_u_zero (local.get 0)))
  (func (export "relaxed_swizzle") (param v128 v128) (result v128) (i8x16.relaxed_swizzle (local.get 0) (local.get 1)))
  (func (export "relaxed_laneselect") (param v128 v128 v128) (result v128)
    (i32x4.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "relaxed_min") (param v128 v128) (result v128) (f32x4.relaxed_min (local.get 0) (local.get 1)))
  (func (export "relaxed_max") (param v128 v128) (result v128) (f64x2.relaxed_max (local.get 0) (local.get 1)))
  (func (export "relaxed_q15mulr") (param v128 v128) (result v128) (i16x8.relaxed_q15mulr_s (local.get 0) (local.get 1)))
  ;; wabt 1.0.32 (Debian 12) knows the dot products by their earlier names, without
  ;; "relaxed_" (the same opcodes, 0xFD 0x112 and 0x113)
  (func (export "relaxed_dot") (param v128 v128) (result v128)
    (i16x8.dot_i8x16_i7x16_s (local.get 0) (local.get 1)))
  (func (export "relaxed_dot_add") (param v128 v128 v128) (result v128)
    (i32x4.dot_i8x16_i7x16_add_s (local.get 0) (local.get 1) (local.get 2)))

  (func (export "load") (param i32) (result v128) (v128.load (local.get 0)))
  (func (export "store") (param i32 v128) (v128.store (local.get 0) (local.get 1)))
  (func (export "load_lane") (param i32 v128) (result v128) (v128.load64_lane 1 (local.get 0) (local.get 1)))
  (func (export "store_lane") (param i32 v128) (v128.store32_lane 3 (local.get 0) (local.get 1)))
  (func (export "load_zero") (param i32) (result v128) (v128.load32_zero (local.get 0)))
  (func (export "load_splat") (param i32) (result v128) (v128.load16_splat (local.get 0)))
  (func (export "load_extend") (param i32) (result v128) (v128.load8x8_s (local.get 0)))
)
