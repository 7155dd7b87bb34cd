;; wait/notify on a shared memory (tests/faults/fault_stress_test.cpp).
(module
  (memory (export "memory") 1 1 shared)
  (func (export "wait") (param i32 i32 i64) (result i32)
    (memory.atomic.wait32 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "notify") (param i32 i32) (result i32)
    (memory.atomic.notify (local.get 0) (local.get 1)))
  (func (export "bump") (param i32) (result i32)
    (i32.atomic.rmw.add (local.get 0) (i32.const 1)))
)
