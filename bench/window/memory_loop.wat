;; The window benchmark's read-modify-write kernel (rmw.c: xorshift positions,
;; table[x & mask] += 1) written out three times: over memory 0, memory 1 and memory 2.
;; The functions are the same instructions except for the memory index, so their time
;; ratios are the cost of addressing another memory (the interpreter keeps the bases of
;; memories 0 and 1 in its loop's locals and reads any other from an array).
(module
  (memory $m0 (export "memory") 1)
  (memory $m1 (export "memory1") 1)
  (memory $m2 (export "memory2") 1)
  (func (export "rmw0") (param $base i32) (param $mask i32) (param $n i32) (result i32)
    (local $x i32) (local $a i32)
    (local.set $x (i32.const 2463534242))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 13))))
        (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 17))))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 5))))
        (local.set $a (i32.add (local.get $base)
          (i32.shl (i32.and (local.get $x) (local.get $mask)) (i32.const 2))))
        (i32.store $m0 (local.get $a) (i32.add (i32.load $m0 (local.get $a)) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $x))
  (func (export "rmw1") (param $base i32) (param $mask i32) (param $n i32) (result i32)
    (local $x i32) (local $a i32)
    (local.set $x (i32.const 2463534242))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 13))))
        (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 17))))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 5))))
        (local.set $a (i32.add (local.get $base)
          (i32.shl (i32.and (local.get $x) (local.get $mask)) (i32.const 2))))
        (i32.store $m1 (local.get $a) (i32.add (i32.load $m1 (local.get $a)) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $x))
  (func (export "rmw2") (param $base i32) (param $mask i32) (param $n i32) (result i32)
    (local $x i32) (local $a i32)
    (local.set $x (i32.const 2463534242))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 13))))
        (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 17))))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 5))))
        (local.set $a (i32.add (local.get $base)
          (i32.shl (i32.and (local.get $x) (local.get $mask)) (i32.const 2))))
        (i32.store $m2 (local.get $a) (i32.add (i32.load $m2 (local.get $a)) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $x))
)
