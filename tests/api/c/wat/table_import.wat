;; Puts its own function into an imported table: the instance's function is then
;; reachable from outside although none of its exports was ever handed out.
(module
  (import "" "t" (table 1 funcref))
  (func $f (result i32) (i32.const 42))
  (elem (i32.const 0) $f)
)
