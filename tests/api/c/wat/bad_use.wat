;; A module to misuse: one imported function, typed exports, a funcref table, an
;; immutable global.
(module
  (import "" "f" (func $f (param i32) (result i32)))
  (table (export "table") 2 funcref)
  (global (export "const") i32 (i32.const 7))
  (func (export "call_f") (param i32) (result i32) (call $f (local.get 0)))
  (func (export "add") (param i32 i64) (result i64)
    (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1)))
)
