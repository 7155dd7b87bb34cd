;; Defines and exports a shared memory that other modules import.
(module
  (memory (export "memory") 1 2 shared)
  (func (export "load") (param i32) (result i32) (i32.atomic.load (local.get 0))))
