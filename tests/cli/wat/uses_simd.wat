;; Uses SIMD: engines that do not run it yet must say so, not "malformed"; validate and
;; inspect report the feature; --invoke takes and prints v128 values.
(module
  (func (export "f") (result i32)
    (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4)))
  (func (export "add") (param v128 v128) (result v128)
    (i32x4.add (local.get 0) (local.get 1))))
