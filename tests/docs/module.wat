;; The `module.wasm`, `prog.wasm` and `filter.wasm` of the docs' command lines: a WASI
;; command whose _start returns at once, and an export `add`.
(module
  (memory (export "memory") 1)
  (func (export "_start"))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
