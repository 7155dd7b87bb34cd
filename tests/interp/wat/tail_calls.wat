;; Tail calls (return_call, return_call_indirect) and extended constant expressions,
;; run in every engine by tests/interp/tail_call_test.cpp.
(module
  (import "host" "twice" (func $twice (param i64) (result i64)))
  (type $i64_to_i64 (func (param i64) (result i64)))
  (type $two_to_i64 (func (param i64 i64) (result i64)))

  ;; ---- extended constant expressions ----
  (global $base (import "host" "base") i32)
  (global $scaled i32 (i32.add (i32.mul (global.get $base) (i32.const 4)) (i32.const 3)))
  ;; (wat2wasm 1.0.32 refuses global.get of a defined global here; the spec suite's
  ;; global, data and elem scripts cover it.)
  (global $derived i64 (i64.add (i64.mul (i64.const 0x100000000) (i64.const 3)) (i64.const 1)))
  (memory 1)
  (data (i32.add (global.get $base) (i32.const 34)) "\2a")
  (table $t 6 funcref)  ;; 0-2: even odd count, 3-4: odd_i even_i, 5: null
  (elem (table $t) (i32.sub (i32.const 3) (i32.const 3)) func $even $odd $count)
  (func (export "scaled") (result i32) (global.get $scaled))
  (func (export "derived") (result i64) (global.get $derived))
  (func (export "byte_at") (param i32) (result i32) (i32.load8_u (local.get 0)))

  ;; ---- direct tail calls ----
  ;; count(n) = 0 after n self tail calls.
  (func $count (export "count") (param i64) (result i64)
    (if (i64.eqz (local.get 0)) (then (return (i64.const 0))))
    (return_call $count (i64.sub (local.get 0) (i64.const 1))))
  ;; The same recursion with call + return: it must exhaust the stack.
  (func $count_no_tail (export "count_no_tail") (param i64) (result i64)
    (if (i64.eqz (local.get 0)) (then (return (i64.const 0))))
    (return (call $count_no_tail (i64.sub (local.get 0) (i64.const 1)))))
  ;; Mutual recursion: even(n) is 1 when n is even.
  (func $even (export "even") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (export "odd") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 0))
      (else (return_call $even (i64.sub (local.get 0) (i64.const 1))))))
  ;; A callee with more parameters (past the argument registers) than its caller, and
  ;; back: sum_down(n) = n + (n-1) + ... + 1 through a 9-parameter helper.
  (func $sum_down (export "sum_down") (param $n i64) (result i64)
    (return_call $sum_acc (local.get $n) (i64.const 0)
      (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5) (i64.const 6)
      (i64.const 7)))
  (func $sum_acc (param $n i64) (param $acc i64)
                 (param i64 i64 i64 i64 i64 i64 i64) (result i64)
    (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call $sum_step (i64.sub (local.get $n) (i64.const 1))
                           (i64.add (local.get $acc) (local.get $n))))
  (func $sum_step (param $n i64) (param $acc i64) (result i64)
    (return_call $sum_acc (local.get $n) (local.get $acc)
      (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5) (i64.const 6)
      (i64.const 7)))
  ;; Multiple results through a tail call.
  (func $pair (param i64) (result i64 i64) (local.get 0) (i64.add (local.get 0) (i64.const 1)))
  (func (export "pair_via_tail") (param i64) (result i64 i64)
    (return_call $pair (i64.mul (local.get 0) (i64.const 10))))
  ;; A tail call to a host function: an ordinary call whose result is returned.
  (func (export "host_tail") (param i64) (result i64)
    (return_call $twice (i64.add (local.get 0) (i64.const 1))))

  ;; ---- indirect tail calls ----
  ;; even_indirect(n): even/odd through the table (elements 4 and 3).
  (func $even_i (export "even_indirect") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (return_call_indirect $t (type $i64_to_i64)
              (i64.sub (local.get 0) (i64.const 1)) (i32.const 3)))))
  (func $odd_i (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 0))
      (else (return_call_indirect $t (type $i64_to_i64)
              (i64.sub (local.get 0) (i64.const 1)) (i32.const 4)))))
  (elem (table $t) (i32.const 3) func $odd_i $even_i)
  ;; Raw access for the trap cases: element `index` with type (i64) -> i64, or with
  ;; type (i64 i64) -> i64 (a mismatch for every element).
  (func (export "indirect") (param $index i32) (param i64) (result i64)
    (return_call_indirect $t (type $i64_to_i64) (local.get 1) (local.get $index)))
  (func (export "indirect_wrong_type") (param $index i32) (result i64)
    (return_call_indirect $t (type $two_to_i64) (i64.const 1) (i64.const 2) (local.get $index)))
)
