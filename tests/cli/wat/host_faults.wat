;; Host code (WASI, the guest API) reading and writing guest memory inside a window whose
;; backing is shorter than the window. Every export takes the window address W and
;; returns WASI errnos (21 = EFAULT), which `aperture run --invoke` prints one per line.
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func $set_size (param i32 i64) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "aperture" "region_open" (func $region_open (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 256) "ready\n")
  (data (i32.const 272) "backing.bin")

  ;; Writes memory[ptr, ptr+len) to stdout through an iovec in ordinary memory.
  (func $say (param $ptr i32) (param $len i32) (result i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))

  ;; Puts an iovec for "ready\n" at W, says "ready", waits for one byte on stdin (another
  ;; process truncates the backing meanwhile), then fd_write reads its iovec array at W.
  (func (export "external_truncate") (param $w i32) (result i32)
    (i32.store (local.get $w) (i32.const 256))
    (i32.store offset=4 (local.get $w) (i32.const 6))
    (drop (call $say (i32.const 256) (i32.const 6)))
    (i32.store (i32.const 16) (i32.const 32))
    (i32.store (i32.const 20) (i32.const 1))
    (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
    (call $fd_write (i32.const 1) (local.get $w) (i32.const 1) (i32.const 8)))

  ;; The guest truncates its own backing file ("backing.bin" under preopen fd 3) and then
  ;; has fd_write read (1) its iovec array from the window, (2) its data from the window.
  (func (export "self_truncate") (param $w i32) (result i32 i32)
    (local $r i32)
    (i32.store (local.get $w) (i32.const 256))
    (i32.store offset=4 (local.get $w) (i32.const 6))
    (local.set $r (call $path_open (i32.const 3) (i32.const 0) (i32.const 272) (i32.const 11)
                    (i32.const 0) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 40)))
    (if (local.get $r) (then (return (i32.const 1000) (local.get $r))))
    (local.set $r (call $set_size (i32.load (i32.const 40)) (i64.const 0)))
    (if (local.get $r) (then (return (i32.const 2000) (local.get $r))))
    (call $fd_write (i32.const 1) (local.get $w) (i32.const 1) (i32.const 8))
    (call $say (local.get $w) (i32.const 6)))

  ;; W lies beyond the end of the backing file: every host access there must fail cleanly.
  (func (export "beyond_eof") (param $w i32) (result i32 i32 i32 i32 i32 i32)
    (call $fd_write (i32.const 1) (local.get $w) (i32.const 1) (i32.const 8))
    (call $say (local.get $w) (i32.const 6))
    (call $random_get (local.get $w) (i32.const 16))
    (call $args_get (local.get $w) (i32.add (local.get $w) (i32.const 64)))
    (call $clock_time_get (i32.const 0) (i64.const 0) (local.get $w))
    (call $region_open (local.get $w) (i32.const 4) (i32.const 1)))

  (func (export "load") (param $w i32) (result i32)
    (i32.load (local.get $w))))
