"""The iExec worker container, run through the Docker Engine API."""
