;; A table of 10 elements, for --max-table-elements.
(module
  (table 10 funcref)
  (func (export "size") (result i32) (table.size 0))
  (func (export "grow") (param i32) (result i32) (table.grow 0 (ref.null func) (local.get 0))))
