"""The whole product in one command (``./scripts/demo``): a simulated solar Pi serving the bridge's
API, the stand-in iExec worker on a Docker engine, the chain when this version has it, and Home
Assistant with the integration installed, onboarded, configured and its dashboard in place.

One module per step; ``run`` puts them in order and undoes them in reverse on Ctrl-C.
"""
