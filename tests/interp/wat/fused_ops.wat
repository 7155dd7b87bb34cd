;; Superinstructions of the interpreter's peephole (interp/translate.cpp) next to the
;; sequences they replace: each export runs one pattern the translator fuses, and
;; tests/interp/fused_ops_test.cpp checks the results against C++ arithmetic.
(module
;; local.get a; T.const c; OP: one op reading the local (OpLocalImm)
  (func (export "i32.add") (param $x i32) (result i32) local.get $x i32.const -5 i32.add)
  (func (export "i32.sub") (param $x i32) (result i32) local.get $x i32.const -5 i32.sub)
  (func (export "i32.mul") (param $x i32) (result i32) local.get $x i32.const -5 i32.mul)
  (func (export "i32.and") (param $x i32) (result i32) local.get $x i32.const -5 i32.and)
  (func (export "i32.or") (param $x i32) (result i32) local.get $x i32.const -5 i32.or)
  (func (export "i32.xor") (param $x i32) (result i32) local.get $x i32.const -5 i32.xor)
  (func (export "i32.shl") (param $x i32) (result i32) local.get $x i32.const -5 i32.shl)
  (func (export "i32.shr_s") (param $x i32) (result i32) local.get $x i32.const -5 i32.shr_s)
  (func (export "i32.shr_u") (param $x i32) (result i32) local.get $x i32.const -5 i32.shr_u)
  (func (export "i32.eq") (param $x i32) (result i32) local.get $x i32.const -5 i32.eq)
  (func (export "i32.ne") (param $x i32) (result i32) local.get $x i32.const -5 i32.ne)
  (func (export "i32.lt_s") (param $x i32) (result i32) local.get $x i32.const -5 i32.lt_s)
  (func (export "i32.lt_u") (param $x i32) (result i32) local.get $x i32.const -5 i32.lt_u)
  (func (export "i32.gt_s") (param $x i32) (result i32) local.get $x i32.const -5 i32.gt_s)
  (func (export "i32.gt_u") (param $x i32) (result i32) local.get $x i32.const -5 i32.gt_u)
  (func (export "i32.le_s") (param $x i32) (result i32) local.get $x i32.const -5 i32.le_s)
  (func (export "i32.le_u") (param $x i32) (result i32) local.get $x i32.const -5 i32.le_u)
  (func (export "i32.ge_s") (param $x i32) (result i32) local.get $x i32.const -5 i32.ge_s)
  (func (export "i32.ge_u") (param $x i32) (result i32) local.get $x i32.const -5 i32.ge_u)
  (func (export "i64.add") (param $x i64) (result i64) local.get $x i64.const -5 i64.add)
  (func (export "i64.sub") (param $x i64) (result i64) local.get $x i64.const -5 i64.sub)
  (func (export "i64.mul") (param $x i64) (result i64) local.get $x i64.const -5 i64.mul)
  (func (export "i64.and") (param $x i64) (result i64) local.get $x i64.const -5 i64.and)
  (func (export "i64.or") (param $x i64) (result i64) local.get $x i64.const -5 i64.or)
  (func (export "i64.xor") (param $x i64) (result i64) local.get $x i64.const -5 i64.xor)
  (func (export "i64.shl") (param $x i64) (result i64) local.get $x i64.const -5 i64.shl)
  (func (export "i64.shr_s") (param $x i64) (result i64) local.get $x i64.const -5 i64.shr_s)
  (func (export "i64.shr_u") (param $x i64) (result i64) local.get $x i64.const -5 i64.shr_u)
;; the same followed by local.set / local.tee: the result goes straight to a local
  (func (export "steps") (param $n i32) (result i64)
    (local $i i32) (local $down i32) (local $t i32) (local $sum i64) (local $w i64)
    (loop $l
      ;; i = i + 1 (set, same local); t = i + 7 (tee, another local), summed
      local.get $i i32.const 1 i32.add local.set $i
      local.get $i i32.const 7 i32.add local.tee $t
      i64.extend_i32_u local.get $sum i64.add local.set $sum
      ;; down = down - 3 (set), then a tee of i - 2 into down, summed
      local.get $down i32.const 3 i32.sub local.set $down
      local.get $sum local.get $down i64.extend_i32_s i64.add local.set $sum
      local.get $i i32.const 2 i32.sub local.tee $down drop
      ;; w = w + 0x100000000 (i64 set), then a tee of w + 1 into w
      local.get $w i64.const 0x100000000 i64.add local.set $w
      local.get $w i64.const 1 i64.add local.tee $w
      local.get $sum i64.add local.set $sum
      ;; local.tee a; local.get a and local.tee a; local.get b
      local.get $i local.tee $t local.get $t i32.add local.tee $t local.get $i
      i32.add i64.extend_i32_u local.get $sum i64.add local.set $sum
      local.get $i local.get $n i32.lt_u br_if $l)
    local.get $sum)
  ;; a branch lands between the local.get and the constant: no fusion across the label
  (func (export "loop_param") (param $x i32) (result i32) (local $t i32) (local $k i32)
    local.get $x
    (loop $l (param i32) (result i32)
      i32.const 3 i32.add local.tee $t
      local.get $k i32.const 1 i32.add local.tee $k i32.const 100 i32.lt_u
      local.get $t i32.const 30 i32.lt_u i32.and
      br_if $l)))
