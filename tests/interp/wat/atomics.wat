;; Threads-proposal behaviour beyond the spec suite: every instance of this module imports
;; one shared memory, so host threads can run instances side by side.
(module
  (memory (import "env" "memory") 1 2 shared)

  ;; n atomic increments of the i32 at addr
  (func (export "add_loop") (param $addr i32) (param $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (drop (i32.atomic.rmw.add (local.get $addr) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next))))

  ;; A futex-style mutex at $lock (0 free, 1 locked, 2 locked with waiters), as wasi-libc
  ;; builds it: n times lock, increment the i64 at $counter with plain (non-atomic) loads
  ;; and stores, unlock. Only mutual exclusion keeps the count exact.
  (func $lock (param $lock i32)
    (local $old i32)
    (if (i32.eqz (i32.atomic.rmw.cmpxchg (local.get $lock) (i32.const 0) (i32.const 1)))
      (then (return)))
    (loop $retry
      (local.set $old (i32.atomic.rmw.xchg (local.get $lock) (i32.const 2)))
      (if (local.get $old)
        (then
          (drop (memory.atomic.wait32 (local.get $lock) (i32.const 2) (i64.const -1)))
          (br $retry)))))
  (func $unlock (param $lock i32)
    (if (i32.eq (i32.atomic.rmw.xchg (local.get $lock) (i32.const 0)) (i32.const 2))
      (then (drop (memory.atomic.notify (local.get $lock) (i32.const 1))))))
  (func (export "locked_increments") (param $lock i32) (param $counter i32) (param $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (call $lock (local.get $lock))
        (i64.store (local.get $counter) (i64.add (i64.load (local.get $counter)) (i64.const 1)))
        (call $unlock (local.get $lock))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next))))

  (func (export "wait32") (param i32 i32 i64) (result i32)
    (memory.atomic.wait32 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "wait64") (param i32 i64 i64) (result i32)
    (memory.atomic.wait64 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "notify") (param i32 i32) (result i32)
    (memory.atomic.notify (local.get 0) (local.get 1)))
  (func (export "wait32_offset") (param i32 i32 i64) (result i32)
    (memory.atomic.wait32 offset=65532 (local.get 0) (local.get 1) (local.get 2)))

  (func (export "store64") (param i32 i64) (i64.atomic.store (local.get 0) (local.get 1)))
  (func (export "load64") (param i32) (result i64) (i64.atomic.load (local.get 0)))
  (func (export "load32_offset") (param i32) (result i32) (i32.atomic.load offset=4 (local.get 0)))
  (func (export "rmw16_sub") (param i32 i32) (result i32) (i32.atomic.rmw16.sub_u (local.get 0) (local.get 1)))
  (func (export "rmw32_xchg") (param i32 i64) (result i64) (i64.atomic.rmw32.xchg_u (local.get 0) (local.get 1)))
  (func (export "cmpxchg8") (param i32 i32 i32) (result i32)
    (i32.atomic.rmw8.cmpxchg_u (local.get 0) (local.get 1) (local.get 2)))
  (func (export "fence") (atomic.fence))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
)
