"""Register-exact drivers, one module per chip, each a small class over the bus protocol."""
