;; Imports its memory, for a region-backed memory the host creates.
(module
  (import "env" "memory" (memory 1 8))
  (func (export "load") (param $a i32) (result i32) (i32.load (local.get $a)))
  (func (export "store") (param $a i32) (param $v i32) (i32.store (local.get $a) (local.get $v)))
  (func (export "grow") (param $n i32) (result i32) (memory.grow (local.get $n)))
)
