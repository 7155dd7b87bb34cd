;; Opens granted region "r" three times without closing (for --max-region-handles).
(module
  (import "aperture" "region_open" (func $open (param i32 i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 0) "r")
  (func (export "open3") (result i32 i32 i32)
    (call $open (i32.const 0) (i32.const 1) (i32.const 1))
    (call $open (i32.const 0) (i32.const 1) (i32.const 1))
    (call $open (i32.const 0) (i32.const 1) (i32.const 1))))
