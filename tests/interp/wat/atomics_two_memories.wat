;; Atomics on memory 1 (shared) of a module whose memory 0 is not shared: every atomic
;; form must address the memory its immediate names. (wabt 1.0.32 needs numeric memory
;; indices on atomics: it aborts on names there.)
(module
  (memory $m0 1)
  (memory $m1 1 1 shared)
  (func (export "add1") (param i32 i32) (result i32) (i32.atomic.rmw.add 1 (local.get 0) (local.get 1)))
  (func (export "load1") (param i32) (result i32) (i32.atomic.load 1 (local.get 0)))
  (func (export "store1") (param i32 i64) (i64.atomic.store 1 (local.get 0) (local.get 1)))
  (func (export "cmpxchg1") (param i32 i32 i32) (result i32)
    (i32.atomic.rmw.cmpxchg 1 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "plain0") (param i32) (result i32) (i32.load $m0 (local.get 0)))
  (func (export "plain1") (param i32) (result i32) (i32.load $m1 (local.get 0)))
  (func (export "notify1") (param i32) (result i32) (memory.atomic.notify 1 (local.get 0) (i32.const 1)))
  (func (export "wait1") (param i32 i32) (result i32)
    (memory.atomic.wait32 1 (local.get 0) (local.get 1) (i64.const 0)))
  (func (export "wait0") (param i32) (result i32)
    (memory.atomic.wait32 0 (local.get 0) (i32.const 0) (i64.const 0)))
)
