;; A module using two WebAssembly 3.0 features, for `aperture inspect`
;; (tests/cli/command_line_test.cpp): a tail call and an extended constant expression.
(module
  (global $g i32 (i32.add (i32.const 40) (i32.const 2)))
  (func $answer (result i32) (global.get $g))
  (func (export "answer") (result i32) (return_call $answer)))
