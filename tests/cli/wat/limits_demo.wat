;; For the CLI's --timeout, --fuel, --max-memory and --max-wasm-stack tests.
(module
  (memory (export "memory") 1)
  ;; Never ends on its own.
  (func (export "spin") (loop $l (br $l)))
  (func (export "_start") (loop $l (br $l)))
  ;; Loops $n times: exactly $n fuel units (one entry, $n - 1 branches back).
  (func (export "count_down") (param $n i32)
    (loop $l
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n))))
  (func $deep (export "deep") (param $n i32) (result i32)
    (if (result i32) (local.get $n)
      (then (i32.add (call $deep (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))
      (else (i32.const 0))))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
)
