;; One per thread: calls into the shared library instance directly (compiled code to
;; compiled code, no runtime in between).
(module
  (import "lib" "rec" (func $rec (param i32) (result i32)))
  (import "lib" "leaf" (func $leaf (param i32) (result i32)))
  (func (export "deep") (result i32) (call $rec (i32.const 0x7FFFFFFF)))
  (func (export "shallow") (result i32) (call $leaf (i32.const 41)))
)
