;; Two processes share a POSIX shm region through a window at 0x10000000 of this shared
;; memory (tests/aarch64/run.sh): one waits on a word of it, another wakes it, and values
;; written by one are read by the other.
(module
  (memory 1 1 shared)
  (func $at (param i32) (result i32) (i32.add (i32.const 0x10000000) (local.get 0)))
  (func (export "put") (param i32 i32) (i32.atomic.store (call $at (local.get 0)) (local.get 1)))
  (func (export "get") (param i32) (result i32) (i32.atomic.load (call $at (local.get 0))))
  ;; 0: woken, 1: the word was not `expected`, 2: timed out (20 s)
  (func (export "wait") (param i32 i32) (result i32)
    (memory.atomic.wait32 (call $at (local.get 0)) (local.get 1) (i64.const 20000000000)))
  (func (export "notify") (param i32) (result i32)
    (memory.atomic.notify (call $at (local.get 0)) (i32.const 1))))
