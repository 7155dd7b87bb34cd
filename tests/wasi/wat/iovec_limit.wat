;; fd_write and fd_read with a given number of iovecs at address 1024 (all zero: empty
;; buffers at address 0). POSIX takes at most IOV_MAX (1024) per call: more is EINVAL,
;; as writev answers, not EFAULT (nothing is wrong with the pointers).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "write_iovecs") (param $count i32) (result i32)
    (call $fd_write (i32.const 1) (i32.const 1024) (local.get $count) (i32.const 0)))
  (func (export "read_iovecs") (param $count i32) (result i32)
    (call $fd_read (i32.const 0) (i32.const 1024) (local.get $count) (i32.const 0)))
  ;; An iovec array that runs off the end of memory: EFAULT, whatever the count.
  (func (export "write_off_the_end") (result i32)
    (call $fd_write (i32.const 1) (i32.const 65532) (i32.const 1) (i32.const 0)))
)
