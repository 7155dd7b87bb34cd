;; The guest API's wait/notify (import module "aperture") on an unshared memory, plus
;; memory.atomic.notify, which inside a window reaches waiters of other processes.
(module
  (import "aperture" "wait32" (func $wait32 (param i32 i32 i64) (result i32)))
  (import "aperture" "wait64" (func $wait64 (param i32 i64 i64) (result i32)))
  (import "aperture" "notify" (func $notify (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "wait32") (param i32 i32 i64) (result i32)
    (call $wait32 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "wait64") (param i32 i64 i64) (result i32)
    (call $wait64 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "notify") (param i32 i32) (result i32)
    (call $notify (local.get 0) (local.get 1)))
  (func (export "atomic_notify") (param i32 i32) (result i32)
    (memory.atomic.notify (local.get 0) (local.get 1)))
  (func (export "store32") (param i32 i32) (i32.atomic.store (local.get 0) (local.get 1)))
)
