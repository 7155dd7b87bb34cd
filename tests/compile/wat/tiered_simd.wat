;; A SIMD module for the tiered engine: it moves to compiled code like any other.
(module
  (func (export "dot") (param v128 v128) (result i32)
    (local $p v128)
    (local.set $p (i32x4.dot_i16x8_s (local.get 0) (local.get 1)))
    (i32.add (i32.add (i32x4.extract_lane 0 (local.get $p)) (i32x4.extract_lane 1 (local.get $p)))
             (i32.add (i32x4.extract_lane 2 (local.get $p)) (i32x4.extract_lane 3 (local.get $p))))))
