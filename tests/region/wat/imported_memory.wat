;; A module whose only memory is imported: the host can back it with a region
;; (docs/regions.md, "Region-backed memories"). `ask` and `answer` meet across processes
;; through words 0, 4 and 8 with aperture.wait32/notify.
(module
  (import "aperture" "wait32" (func $wait32 (param i32 i32 i64) (result i32)))
  (import "aperture" "notify" (func $notify (param i32 i32) (result i32)))
  (import "env" "memory" (memory 1 100))
  (func (export "put") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "get") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  ;; Blocks until the word at $addr holds $want (at most 30 one-second waits): 1, else 0.
  (func $await (param $addr i32) (param $want i32) (result i32)
    (local $tries i32)
    (block $done
      (loop $again
        (br_if $done (i32.eq (i32.atomic.load (local.get $addr)) (local.get $want)))
        (br_if $done (i32.eq (local.get $tries) (i32.const 30)))
        (local.set $tries (i32.add (local.get $tries) (i32.const 1)))
        (drop (call $wait32 (local.get $addr) (i32.atomic.load (local.get $addr))
                            (i64.const 1000000000)))
        (br $again)))
    (i32.eq (i32.atomic.load (local.get $addr)) (local.get $want)))
  ;; Announces itself (word 0 = 1), waits for the answer (word 4 = 2), returns word 8.
  (func (export "ask") (result i32)
    (i32.atomic.store (i32.const 0) (i32.const 1))
    (drop (call $notify (i32.const 0) (i32.const 1)))
    (if (i32.eqz (call $await (i32.const 4) (i32.const 2))) (then (return (i32.const -1))))
    (i32.load (i32.const 8)))
  ;; Waits for the question (word 0 = 1), then writes word 8 = $value and word 4 = 2.
  (func (export "answer") (param $value i32) (result i32)
    (if (i32.eqz (call $await (i32.const 0) (i32.const 1))) (then (return (i32.const -1))))
    (i32.store (i32.const 8) (local.get $value))
    (i32.atomic.store (i32.const 4) (i32.const 2))
    (drop (call $notify (i32.const 4) (i32.const 1)))
    (i32.const 0))
)
