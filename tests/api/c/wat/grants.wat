;; A guest that maps a granted region itself through import module "aperture".
(module
  (import "aperture" "region_open" (func $open (param i32 i32 i32) (result i32)))
  (import "aperture" "map" (func $map (param i32 i64 i64 i64 i32) (result i64)))
  (memory (export "memory") 1)
  (data (i32.const 16) "shared")
  (data (i32.const 32) "missing")
  ;; Opens "shared" read-write, maps it anywhere, stores `value` at its first word and
  ;; returns the window's address (or the negative errno of the failing call).
  (func (export "write_shared") (param $value i32) (result i64)
    (local $h i32) (local $at i64)
    (local.set $h (call $open (i32.const 16) (i32.const 6) (i32.const 3)))
    (if (i32.lt_s (local.get $h) (i32.const 0))
      (then (return (i64.extend_i32_s (local.get $h)))))
    (local.set $at (call $map (local.get $h) (i64.const 0) (i64.const 0) (i64.const -1) (i32.const 3)))
    (if (i64.lt_s (local.get $at) (i64.const 0)) (then (return (local.get $at))))
    (i32.store (i32.wrap_i64 (local.get $at)) (local.get $value))
    (local.get $at))
  ;; region_open of a name nobody granted: -44 (ENOENT)
  (func (export "open_missing") (result i32)
    (call $open (i32.const 32) (i32.const 7) (i32.const 1)))
)
