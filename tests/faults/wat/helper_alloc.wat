;; Traps whose messages are allocated by a helper of the compiled engine
;; (tests/faults/helper_exceptions_test.cpp): host.fail_allocations makes every further
;; operator new of the process throw std::bad_alloc.
(module
  (import "host" "fail_allocations" (func $fail))
  (table 2 funcref)
  (type $v (func))
  (func (export "divide") (param i32 i32) (result i32)
    (call $fail)
    (i32.div_s (local.get 0) (local.get 1)))
  (func (export "call_null") (param i32)
    (call $fail)
    (call_indirect (type $v) (local.get 0)))
)
