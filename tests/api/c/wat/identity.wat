(module
  (func (export "id") (param externref) (result externref) (local.get 0))
)
