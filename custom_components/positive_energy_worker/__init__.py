"""Positive Energy Worker: run iExec compute on a solar Raspberry Pi when the energy is there.

The Home Assistant side talks to the Pi's hardware bridge over its API; it is built on top of the
bridge's service layer (see README.md).
"""
