"""Positive Energy Worker hardware bridge: battery, solar panel and Witty Pi over I2C."""

__version__ = "0.1.0"
