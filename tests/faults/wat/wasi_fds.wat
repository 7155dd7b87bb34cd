;; WASI descriptors used from two threads at once (tests/faults/wasi_fd_race_test.cpp).
;; Memory: 0..8192 an array of 1024 iovecs of one byte each (all pointing at byte 8192,
;; an 'A'), 8200 nwritten, 8204 the opened fd, 8300 the path "a.txt", 8310 "b.txt".
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_renumber" (func $fd_renumber (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 8192) "A")
  (data (i32.const 8300) "a.txt")
  (data (i32.const 8310) "b.txt")
  (func $init_iovecs
    (local $i i32)
    (loop $l
      (i32.store (i32.mul (local.get $i) (i32.const 8)) (i32.const 8192))
      (i32.store (i32.add (i32.mul (local.get $i) (i32.const 8)) (i32.const 4)) (i32.const 1))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 1024)))))
  (start $init_iovecs)
  ;; open(which): path_open beneath preopen 3 of "a.txt" (0) or "b.txt" (1), created,
  ;; with fd_write rights; the new fd, or -errno.
  (func (export "open") (param $which i32) (result i32)
    (local $err i32)
    (local.set $err
      (call $path_open (i32.const 3) (i32.const 0)
        (i32.add (i32.const 8300) (i32.mul (local.get $which) (i32.const 10))) (i32.const 5)
        (i32.const 1) (i64.const 0x40) (i64.const 0) (i32.const 0) (i32.const 8204)))
    (if (result i32) (local.get $err)
      (then (i32.sub (i32.const 0) (local.get $err)))
      (else (i32.load (i32.const 8204)))))
  ;; write(fd, n): n fd_writes of 1024 one-byte iovecs; how many succeeded.
  (func (export "write") (param $fd i32) (param $n i32) (result i32)
    (local $ok i32)
    (loop $l
      (if (i32.eqz (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1024) (i32.const 8200)))
        (then (local.set $ok (i32.add (local.get $ok) (i32.const 1)))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (i32.gt_s (local.get $n) (i32.const 0))))
    (local.get $ok))
  (func (export "renumber") (param i32 i32) (result i32) (call $fd_renumber (local.get 0) (local.get 1)))
  (func (export "close") (param i32) (result i32) (call $fd_close (local.get 0)))
)
