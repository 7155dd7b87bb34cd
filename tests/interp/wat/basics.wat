(module
  (memory (export "mem") 1 4)
  (global $counter (mut i32) (i32.const 0))
  (table 4 funcref)
  (elem (i32.const 0) $add $sub)
  (type $binop (func (param i32 i32) (result i32)))

  (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func $sub (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))

  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))

  (func (export "sum_to") (param $n i64) (result i64) (local $acc i64)
    (block $done
      (loop $top
        (br_if $done (i64.eqz (local.get $n)))
        (local.set $acc (i64.add (local.get $acc) (local.get $n)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $top)))
    (local.get $acc))

  (func (export "classify") (param i32) (result i32)
    (block $d (block $two (block $one (block $zero
      (br_table $zero $one $two $d (local.get 0)))
      (return (i32.const 100)))
      (return (i32.const 101)))
      (return (i32.const 102)))
    (i32.const -1))

  (func (export "swap") (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))

  (func (export "block_keep") (result i32)
    ;; branch out of a block with extra values on the stack: they must be dropped
    (block (result i32) (i32.const 7) (i32.const 8) (i32.const 9) (br 0)))

  (func (export "select") (param i32) (result i64)
    (select (i64.const 10) (i64.const 20) (local.get 0)))

  (func (export "bump") (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (global.get $counter))

  (func (export "store_load") (param i32 i64) (result i64)
    (i64.store offset=8 (local.get 0) (local.get 1))
    (i64.load offset=8 (local.get 0)))

  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))

  (func (export "dispatch") (param i32 i32 i32) (result i32)
    (call_indirect (type $binop) (local.get 1) (local.get 2) (local.get 0)))

  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "trunc") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
  (func (export "fmin") (param f64 f64) (result f64) (f64.min (local.get 0) (local.get 1)))
  (func (export "boom") (unreachable))
  (func $runaway (export "runaway") (param i32) (result i32)
    (i32.add (call $runaway (local.get 0)) (i32.const 1)))
)
