;; Two tables that share their store's table-element budget (StoreLimits::table_elements).
(module
  (table $a 10 funcref)
  (table $b 0 externref)
  (func (export "grow_a") (param i32) (result i32)
    (table.grow $a (ref.null func) (local.get 0)))
  (func (export "grow_b") (param i32) (result i32)
    (table.grow $b (ref.null extern) (local.get 0)))
  (func (export "size_a") (result i32) (table.size $a))
  (func (export "size_b") (result i32) (table.size $b)))
