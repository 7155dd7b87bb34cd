;; A module that needs nothing and hands nothing out unless asked.
(module
  (func (export "answer") (result i32) (i32.const 42))
)
