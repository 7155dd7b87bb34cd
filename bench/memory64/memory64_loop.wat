;; The cost of a 64-bit memory's bounds compare (docs/architecture.md, "64-bit memories"):
;; the same two kernels over memory 0 (32-bit: no compare, the guard zone checks) and
;; memory 1 (64-bit: one compare per access against the 64 GiB reservation). The
;; functions differ only in the memory and the address type (i32 vs i64 arithmetic), so
;; their time ratio is the price of the compare. Run by bench/memory64/run.
(module
  (memory $m32 (export "memory32") 64)
  (memory $m64 (export "memory64") i64 64)
  ;; Sequential: sums `n` 32-bit words, cycling through the first mask+1 words.
  (func (export "sum32") (param $mask i32) (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s)
          (i32.load $m32 (i32.shl (i32.and (local.get $i) (local.get $mask)) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $s))
  (func (export "sum64") (param $mask i64) (param $n i64) (result i32)
    (local $i i64) (local $s i32)
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s)
          (i32.load $m64 (i64.shl (i64.and (local.get $i) (local.get $mask)) (i64.const 2)))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (local.get $s))
  ;; Random read-modify-write: xorshift positions, table[x & mask] += 1 (bench/window).
  (func (export "rmw32") (param $mask i32) (param $n i32) (result i32)
    (local $x i32) (local $a i32)
    (local.set $x (i32.const 2463534242))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 13))))
        (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 17))))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 5))))
        (local.set $a (i32.shl (i32.and (local.get $x) (local.get $mask)) (i32.const 2)))
        (i32.store $m32 (local.get $a) (i32.add (i32.load $m32 (local.get $a)) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $x))
  (func (export "rmw64") (param $mask i64) (param $n i32) (result i32)
    (local $x i32) (local $a i64)
    (local.set $x (i32.const 2463534242))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 13))))
        (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 17))))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 5))))
        (local.set $a (i64.shl (i64.and (i64.extend_i32_u (local.get $x)) (local.get $mask)) (i64.const 2)))
        (i32.store $m64 (local.get $a) (i32.add (i32.load $m64 (local.get $a)) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $x))
)
