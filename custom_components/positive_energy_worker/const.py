"""Constants of the Positive Energy Worker integration."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

DOMAIN: Final = "positive_energy_worker"
DEFAULT_PORT: Final = 8765
ZEROCONF_TYPE: Final = "_positive-energy._tcp.local."
# The oldest bridge whose API this integration speaks; an older one raises a repair issue.
MIN_BRIDGE_VERSION: Final = "0.1.0"
API_VERSION: Final = 1
# While the push connection is down, the state is polled this often.
FALLBACK_POLL_INTERVAL: Final = timedelta(seconds=30)
RECONNECT_DELAYS: Final = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)

# The push deadbands are the client's Deadbands: the options use its field names and defaults.

# Whether the optional (diagnostic) entities are on: currents, output voltage, CPU, memory.
CONF_OPTIONAL_ENTITIES: Final = "optional_entities"
# Those entities (they ship disabled), by the end of their unique id: "<part>_<key>".
OPTIONAL_ENTITIES: Final = (
    "battery_current",
    "solar_voltage",
    "solar_current",
    "witty_pi_output_voltage",
    "witty_pi_output_current",
    "pi_background_cpu_percent",
    "pi_memory_used_percent",
    "worker_cpu_percent",
    "worker_memory",
)

SERVICE_START_WORKER: Final = "start_worker"
SERVICE_STOP_WORKER: Final = "stop_worker"
SERVICE_SCHEDULE_POWER: Final = "schedule_power"
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_DRAIN: Final = "drain"
ATTR_TIMEOUT: Final = "timeout"
ATTR_NEXT_STARTUP: Final = "next_startup"
ATTR_NEXT_SHUTDOWN: Final = "next_shutdown"
