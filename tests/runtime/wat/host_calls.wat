(module
  (import "env" "twice" (func $twice (param i32) (result i32)))
  (import "env" "fail" (func $fail))
  (import "env" "mem" (memory 1))
  (func (export "quad") (param i32) (result i32) (call $twice (call $twice (local.get 0))))
  (func (export "call_fail") (call $fail))
  (func (export "poke") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "spin") (param $n i32) (result i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31)) (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (local.get $acc))
)
