;; wasi-threads as wasm32-wasip1-threads programs use it: wasi.thread-spawn starts
;; wasi_thread_start(tid, arg) in a new instance on a new thread, sharing env.memory.
;;   [0]          number of threads started (notified on every start)
;;   [16 + 4*arg] the tid thread `arg` was given
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (memory (import "env" "memory") 1 1 shared)
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (if (i32.eq (local.get $arg) (i32.const 99)) (then unreachable))
    (i32.atomic.store (i32.add (i32.const 16) (i32.shl (local.get $arg) (i32.const 2)))
                      (local.get $tid))
    (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 0) (i32.const -1))))
  (func (export "spawn") (param i32) (result i32) (call $spawn (local.get 0)))
  (func (export "tid_of") (param i32) (result i32)
    (i32.atomic.load (i32.add (i32.const 16) (i32.shl (local.get 0) (i32.const 2)))))
  ;; blocks until at least $n threads have started
  (func (export "wait_started") (param $n i32)
    (local $seen i32)
    (loop $again
      (local.set $seen (i32.atomic.load (i32.const 0)))
      (if (i32.lt_u (local.get $seen) (local.get $n))
        (then
          (drop (memory.atomic.wait32 (i32.const 0) (local.get $seen) (i64.const -1)))
          (br $again)))))
)
