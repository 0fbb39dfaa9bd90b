"""Emulated I2C chips: register-level stand-ins that answer byte for byte like the real parts."""
