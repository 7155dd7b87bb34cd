;; Calls wasi.thread-spawn without exporting wasi_thread_start: a broken threads program.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (memory (import "env" "memory") 1 1 shared)
  (func (export "spawn") (param i32) (result i32) (call $spawn (local.get 0))))
