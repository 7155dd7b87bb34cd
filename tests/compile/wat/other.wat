;; The callee side of mixed.wat, instantiated in the other engine.
(module
  (table (export "table") 2 funcref)
  (elem (i32.const 0) $square $negate)
  (func $square (export "square") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func $negate (param i32) (result i32) (i32.sub (i32.const 0) (local.get 0)))
)
