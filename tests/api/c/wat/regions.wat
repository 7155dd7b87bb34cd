;; Guest side of the region API tests: plain loads and stores at addresses the host
;; chose for its windows.
(module
  (memory (export "memory") 1)
  ;; memory[addr + 4i] = value * i + i, for i < n
  (func (export "fill") (param $addr i32) (param $n i32) (param $value i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (i32.add (local.get $addr) (i32.shl (local.get $i) (i32.const 2)))
                   (i32.add (i32.mul (local.get $value) (local.get $i)) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))
  ;; sum of memory[addr + 4i], i < n
  (func (export "sum") (param $addr i32) (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s)
                        (i32.load (i32.add (local.get $addr) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $s))
  (func $poke (export "poke") (param $addr i32) (param $v i32)
    (i32.store (local.get $addr) (local.get $v)))
  (func (export "poke_via_call") (param $addr i32) (param $v i32)
    (call $poke (local.get $addr) (local.get $v)))
)
