;; Opens granted region "shared" again and again, holding every handle.
(module
  (import "aperture" "region_open" (func $open (param i32 i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 16) "shared")
  ;; Opens up to `n` handles; returns how many succeeded, or the first failure's
  ;; negative errno.
  (func (export "open_n") (param $n i32) (result i32)
    (local $i i32) (local $h i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $h (call $open (i32.const 16) (i32.const 6) (i32.const 1)))
        (if (i32.lt_s (local.get $h) (i32.const 0)) (then (return (local.get $h))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $i))
)
