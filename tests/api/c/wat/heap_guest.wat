;; A guest written for WAMR's shared heap: allocates a block and writes into it.
(module
  (import "env" "shared_heap_malloc" (func $malloc (param i32) (result i32)))
  (import "env" "shared_heap_free" (func $free (param i32)))
  (memory 1)
  (func (export "alloc_store") (param $size i32) (param $v i32) (result i32)
    (local $p i32)
    (local.set $p (call $malloc (local.get $size)))
    (if (local.get $p) (then (i32.store (local.get $p) (local.get $v))))
    (local.get $p))
  (func (export "free") (param $p i32) (call $free (local.get $p)))
)
