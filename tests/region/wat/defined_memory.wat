;; A module that defines both its memories: memory 0 private, memory 1 (exported "shared")
;; for binding to a region at instantiation (docs/regions.md, "Region-backed memories":
;; aperture run --memory 1=NAME, or MemoryBackings in Store::instantiate). `ask` and
;; `answer` meet across processes through words 0, 4 and 8 of memory 1 with
;; aperture.memory_wait32/memory_notify; the copy functions are memory.copy between and
;; within the two memories. (wabt takes numeric memory indices on atomics only.)
(module
  (import "aperture" "memory_wait32" (func $wait32 (param i32 i32 i32 i64) (result i32)))
  (import "aperture" "memory_notify" (func $notify (param i32 i32 i32) (result i32)))
  (memory $m0 (export "memory") 1)
  (memory $m1 (export "shared") 1 8)
  (data (memory $m1) (i32.const 64) "seg")
  (func (export "put") (param i32 i32) (i32.store $m1 (local.get 0) (local.get 1)))
  (func (export "get") (param i32) (result i32) (i32.load $m1 (local.get 0)))
  (func (export "put0") (param i32 i32) (i32.store $m0 (local.get 0) (local.get 1)))
  (func (export "get0") (param i32) (result i32) (i32.load $m0 (local.get 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow $m1 (local.get 0)))
  (func (export "size") (result i32) (memory.size $m1))
  (func (export "copy11") (param i32 i32 i32) (memory.copy $m1 $m1 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy00") (param i32 i32 i32) (memory.copy $m0 $m0 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy01") (param i32 i32 i32) (memory.copy $m0 $m1 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy10") (param i32 i32 i32) (memory.copy $m1 $m0 (local.get 0) (local.get 1) (local.get 2)))
  ;; Blocks until word $addr of memory 1 holds $want (at most 30 one-second waits): 1, else 0.
  (func $await (param $addr i32) (param $want i32) (result i32)
    (local $tries i32)
    (block $done
      (loop $again
        (br_if $done (i32.eq (i32.atomic.load 1 (local.get $addr)) (local.get $want)))
        (br_if $done (i32.eq (local.get $tries) (i32.const 30)))
        (local.set $tries (i32.add (local.get $tries) (i32.const 1)))
        (drop (call $wait32 (i32.const 1) (local.get $addr) (i32.atomic.load 1 (local.get $addr))
                            (i64.const 1000000000)))
        (br $again)))
    (i32.eq (i32.atomic.load 1 (local.get $addr)) (local.get $want)))
  ;; Announces itself (word 0 = 1), waits for the answer (word 4 = 2), returns word 8.
  (func (export "ask") (result i32)
    (i32.atomic.store 1 (i32.const 0) (i32.const 1))
    (drop (call $notify (i32.const 1) (i32.const 0) (i32.const 1)))
    (if (i32.eqz (call $await (i32.const 4) (i32.const 2))) (then (return (i32.const -1))))
    (i32.load $m1 (i32.const 8)))
  ;; Waits for the question (word 0 = 1), then writes word 8 = $value and word 4 = 2.
  (func (export "answer") (param $value i32) (result i32)
    (if (i32.eqz (call $await (i32.const 0) (i32.const 1))) (then (return (i32.const -1))))
    (i32.store $m1 (i32.const 8) (local.get $value))
    (i32.atomic.store 1 (i32.const 4) (i32.const 2))
    (drop (call $notify (i32.const 1) (i32.const 4) (i32.const 1)))
    (i32.const 0))
)
