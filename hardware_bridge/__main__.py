"""``python -m hardware_bridge``: the same as the ``hardware-bridge`` command."""

import sys

from hardware_bridge.cli import main

sys.exit(main())
