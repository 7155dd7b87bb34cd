;; Loops and calls for interruption, fuel and stack-limit tests: every kind of branch
;; back to a loop's start spins forever in its own export.
(module
  (import "host" "reenter" (func $reenter))
  (memory (export "memory") 1)
  (func $leaf)
  ;; br
  (func (export "spin_br") (loop $l (br $l)))
  ;; br_if on a plain value
  (func (export "spin_br_if") (loop $l (br_if $l (i32.const 1))))
  ;; br_if on a comparison (fused compare-and-branch)
  (func (export "spin_br_if_cmp") (param $x i32)
    (loop $l (br_if $l (i32.lt_u (local.get $x) (i32.const 10)))))
  ;; br_if on eqz
  (func (export "spin_br_if_eqz") (param $x i32) (loop $l (br_if $l (i32.eqz (local.get $x)))))
  ;; br that drops a value
  (func (export "spin_br_drop") (loop $l (i32.const 7) (br $l)))
  ;; br_if that drops a value
  (func (export "spin_br_if_drop") (loop $l (i32.const 7) (br_if $l (i32.const 1)) (drop)))
  ;; br_table whose chosen target is the loop
  (func (export "spin_br_table") (loop $l (block $b (br_table $b $l (i32.const 1)))))
  ;; a loop whose body calls: also stopped at the calls
  (func (export "spin_calls") (loop $l (call $leaf) (br $l)))
  ;; wasm -> host -> wasm: the host function calls back into spin_br
  (func (export "spin_nested") (call $reenter))

  ;; Loops $n times (one entry plus n - 1 branches back, for n >= 1): n fuel units.
  (func (export "count_down") (param $n i32)
    (loop $l
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n))))
  ;; Three calls of $leaf: 4 fuel units (its own entry and three), the host call is free.
  (func (export "three_calls") (call $leaf) (call $leaf) (call $leaf))
  (func (export "host_call") (call $reenter))
  ;; Recursion $n deep.
  (func $deep (export "deep") (param $n i32) (result i32)
    (if (result i32) (local.get $n)
      (then (i32.add (call $deep (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))
      (else (i32.const 0))))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "answer") (result i32) (i32.const 42))
)
