;; A 64-bit memory for windows above 4 GiB (tests/region/memory64_window_test.cpp).
(module
  (memory (export "memory") i64 1)
  (func (export "load") (param i64) (result i64) (i64.load (local.get 0)))
  (func (export "store") (param i64 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0))))
