;; Import and export names with terminal control sequences (clear screen, set the window
;; title, bell, C1 CSI): `aperture inspect` and the link error must print them escaped.
(module
  (import "\1b[2Jevil" "\1b]0;pwned\07" (func))
  (func (export "run\1b[31m\c2\9b1m") unreachable))
