"""Constants of the Positive Energy Worker integration."""

from typing import Final

DOMAIN: Final = "positive_energy_worker"
