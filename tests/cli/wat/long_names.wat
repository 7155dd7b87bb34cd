;; Paths and region names longer than the limits (docs/limits.md) are ENAMETOOLONG (37),
;; refused before they are read. `names(ptr, len)` passes memory[ptr, ptr+len) as the
;; name to each call and returns their errnos, which `aperture run --invoke` prints.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename"
    (func $rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink"
    (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "aperture" "region_open" (func $region_open (param i32 i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 256) "none")
  (func (export "names") (param $ptr i32) (param $len i32) (result i32 i32 i32 i32 i32 i32)
    (call $path_open (i32.const 3) (i32.const 0) (local.get $ptr) (local.get $len)
      (i32.const 0) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 64))
    (call $filestat_get (i32.const 3) (i32.const 0) (local.get $ptr) (local.get $len) (i32.const 128))
    ;; as the old name, then as the new name (the old one, "none", does not exist)
    (call $rename (i32.const 3) (local.get $ptr) (local.get $len) (i32.const 3) (i32.const 256) (i32.const 4))
    (call $rename (i32.const 3) (i32.const 256) (i32.const 4) (i32.const 3) (local.get $ptr) (local.get $len))
    ;; as the link's target; the link is "none" (a long target is refused before it is made)
    (call $symlink (local.get $ptr) (local.get $len) (i32.const 3) (i32.const 256) (i32.const 4))
    (call $region_open (local.get $ptr) (local.get $len) (i32.const 1))))
