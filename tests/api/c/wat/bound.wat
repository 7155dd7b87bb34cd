;; Reads what its aperture.bind window (added by `aperture bind` in tests/api/CMakeLists.txt:
;; region "input" read-only at 0x100000) holds; without the window the load traps.
(module
  (memory 1)
  (func (export "read") (param $a i32) (result i32) (i32.load (local.get $a)))
)
