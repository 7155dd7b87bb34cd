;; Two memories (multi-memory) for windows on memory 1 and region-backed memories that a
;; module defines; memory 0 grows for the extend test.
(module
  (memory 1 8)
  (memory $m1 1)
  (func (export "load") (param $a i32) (result i32) (i32.load (local.get $a)))
  (func (export "store") (param $a i32) (param $v i32) (i32.store (local.get $a) (local.get $v)))
  (func (export "load1") (param $a i32) (result i32) (i32.load $m1 (local.get $a)))
  (func (export "store1") (param $a i32) (param $v i32) (i32.store $m1 (local.get $a) (local.get $v)))
  (func (export "grow") (param $n i32) (result i32) (memory.grow (local.get $n)))
)
