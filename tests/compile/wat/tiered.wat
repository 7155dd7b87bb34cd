;; The tiered engine's test module (tests/compile/tiered_test.cpp): direct calls, calls
;; through a table and an import, so that every kind of call meets functions that move
;; from the interpreter to compiled code while threads run them.
(module $tiered
  (type $t (func (param i32) (result i32)))
  (import "host" "twice" (func $host_twice (type $t)))
  (table 2 funcref)
  (elem (i32.const 0) $inc $dbl)
  (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))
  (func $dbl (type $t) (i32.mul (local.get 0) (i32.const 2)))
  ;; sum over i < n of inc(i) + table[i & 1](i) + host_twice(i & 7)
  (func (export "work") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (call $inc (local.get $i))))
        (local.set $acc (i32.add (local.get $acc)
          (call_indirect (type $t) (local.get $i) (i32.and (local.get $i) (i32.const 1)))))
        (local.set $acc (i32.add (local.get $acc)
          (call $host_twice (i32.and (local.get $i) (i32.const 7)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $acc))
  (func $fail (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then unreachable))
    (call $fail (i32.sub (local.get 0) (i32.const 1))))
  ;; traps "unreachable" n + 1 frames of $fail deep
  (func (export "fail") (param i32) (result i32) (call $fail (local.get 0))))
