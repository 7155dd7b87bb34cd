(module
  (memory 1)
  (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "mix") (param i64 f32 f64) (result i64 f32 f64) (local.get 0) (local.get 1) (local.get 2))
  (func $recurse (export "recurse") (param i32) (result i32)
    (call $recurse (i32.add (local.get 0) (i32.const 1))))
  (func $peek (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "outer") (param i32) (result i32) (call $peek (local.get 0)))
)
