;; Atomics and wait/notify on a shared 64-bit memory: i64 addresses.
(module
  (memory (export "mem") i64 65537 65537 shared)
  (func (export "add") (param i64 i32) (result i32) (i32.atomic.rmw.add (local.get 0) (local.get 1)))
  (func (export "load") (param i64) (result i32) (i32.atomic.load (local.get 0)))
  (func (export "cmpxchg") (param i64 i64 i64) (result i64)
    (i64.atomic.rmw.cmpxchg (local.get 0) (local.get 1) (local.get 2)))
  (func (export "wait") (param i64 i32 i64) (result i32)
    (memory.atomic.wait32 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "notify") (param i64 i32) (result i32)
    (memory.atomic.notify (local.get 0) (local.get 1))))
