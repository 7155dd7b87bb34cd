;; A 64-bit memory (memory64): `aperture inspect` lists "64-bit memories".
(module
  (memory (export "memory") i64 1)
  (func (export "size") (result i64) (memory.size)))
