"""``hardware-bridge``: read, scan and serve the hardware, real or simulated; doctor a setup;
write the API's OpenAPI document (openapi)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from hardware_bridge import __version__
from hardware_bridge.base.errors import BridgeError
from hardware_bridge.base.wire import to_json
from hardware_bridge.config.loader import load_config
from hardware_bridge.hardware.bus import DEFAULT_BUS, open_bus
from hardware_bridge.hardware.config import HardwareConfig
from hardware_bridge.hardware.readings import HostReading, Snapshot
from hardware_bridge.hardware.scan import scan
from hardware_bridge.runtime.opener import Simulate, open_hardware

DATA_DIR_ENV = "HARDWARE_BRIDGE_DATA_DIR"


def default_data_dir() -> Path:
    """Where the daemon keeps its state: /var/lib when root (systemd), else the user's state dir."""
    if env := os.environ.get(DATA_DIR_ENV):
        return Path(env)
    if os.geteuid() == 0:
        return Path("/var/lib/hardware-bridge")
    state_home = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state_home) / "hardware-bridge"


def _iso_time(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(
            f"expected an ISO 8601 date and time such as 2026-06-15T06:00, got {text!r}"
        ) from err


def _speed(text: str) -> float:
    try:
        speed = float(text)
    except ValueError:
        speed = 0.0
    if not speed > 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text!r}")
    return speed


def _add_simulate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--simulate",
        nargs="?",
        const="default",
        metavar="SCENARIO",
        help="use emulated chips driven by the simulation (a scenario name or TOML file)",
    )
    parser.add_argument(
        "--sim-start",
        type=_iso_time,
        metavar="ISO",
        help="start the simulated clock here (default: the scenario's start, else now; "
        "without an offset, the local time at the site)",
    )
    parser.add_argument(
        "--sim-speed",
        type=_speed,
        metavar="N",
        help="run the simulated clock N times faster than real time "
        "(default: the scenario's, else 1)",
    )


def _simulate(args: argparse.Namespace) -> Simulate | None:
    """The simulation the arguments ask for; a clock flag without --simulate is an error."""
    if args.simulate is None:
        if args.sim_start is not None or args.sim_speed is not None:
            raise BridgeError("--sim-start and --sim-speed set the simulated clock: add --simulate")
        return None
    return Simulate(args.simulate, args.sim_start, args.sim_speed)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hardware-bridge", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    commands = parser.add_subparsers(dest="command", required=True)

    read = commands.add_parser("read", help="print one snapshot of every reading")
    _add_simulate(read)
    read.add_argument("--json", action="store_true", help="machine-readable output")
    read.add_argument("--config", type=Path, help="bridge config file (TOML, [hardware] table)")
    read.add_argument("--data-dir", type=Path, help="where the daemon keeps its energy counters")

    probe = commands.add_parser("scan", help="probe the I2C bus and name the chips found")
    _add_simulate(probe)
    probe.add_argument("--bus", type=int, default=DEFAULT_BUS, help="I2C bus number (default 1)")
    probe.add_argument("--json", action="store_true", help="machine-readable output")

    serve = commands.add_parser("serve", help="run the bridge: API, guards and worker")
    _add_simulate(serve)
    serve.add_argument("--host", help="address to listen on (default 0.0.0.0)")
    serve.add_argument("--port", type=int, help="TCP port (default 8765; 0 picks a free one)")
    serve.add_argument("--config", type=Path, help="bridge config file (TOML)")
    serve.add_argument("--data-dir", type=Path, help="token, device id, counters (kept)")
    serve.add_argument(
        "--no-zeroconf", dest="zeroconf", action="store_false", default=None,
        help="do not announce the bridge on the network",
    )  # fmt: skip
    doctor = commands.add_parser(
        "doctor", help="check the setup: chips, data dir, Docker, image, wallet, core, workerpool"
    )
    _add_simulate(doctor)
    doctor.add_argument("--config", type=Path, help="bridge config file (TOML)")
    doctor.add_argument("--data-dir", type=Path, help="the data dir serve would use")
    doctor.add_argument("--json", action="store_true", help="machine-readable output")
    spec = commands.add_parser(
        "openapi", help="print the API's OpenAPI document, its schemas generated from the models"
    )
    spec.add_argument(
        "--output", type=Path,
        help="write it to this file (hardware_bridge/api/openapi.json: regenerate the contract)",
    )  # fmt: skip
    return parser


def _format_snapshot(snapshot: Snapshot) -> str:
    lines = [
        f"time        {snapshot.time.isoformat()}{'  (simulated)' if snapshot.simulated else ''}"
    ]
    if (s := snapshot.solar) is not None:
        lines.append(
            f"solar       {s.voltage:6.2f} V  {s.current:7.3f} A  {s.power:7.2f} W  [{s.chip}]"
        )
    if (b := snapshot.battery) is not None:
        soc = f"{b.soc:5.1f} % ({b.soc_source})" if b.soc is not None else "SoC unknown"
        current = (
            f"{b.current:7.3f} A  {b.power:7.2f} W"
            if b.current is not None and b.power is not None
            else ""
        )
        lines.append(f"battery     {b.voltage:6.2f} V  {current}  {soc}  [{b.chip}]")
    if (w := snapshot.witty_pi) is not None:
        lines.append(
            f"witty pi    {w.model or 'unknown model'} rev {w.firmware_revision}: "
            f"in {w.input_voltage:.2f} V, out {w.output_voltage:.2f} V {w.output_current:.2f} A, "
            f"{w.temperature if w.temperature is not None else '?'} °C, source {w.power_source}"
        )
        lines.append(
            f"            low-voltage cut {w.low_voltage_threshold or 'off'}, "
            f"recovery {w.recovery_voltage or 'off'}, last reason {w.action_reason_name or '-'}"
        )
        lines.append(
            f"            RTC {w.rtc_time.isoformat() if w.rtc_time else '?'}, next startup "
            f"{w.next_startup.isoformat() if w.next_startup else '-'}, next shutdown "
            f"{w.next_shutdown.isoformat() if w.next_shutdown else '-'}"
        )
    if snapshot.host is not None:
        lines.append(f"host        {_format_host(snapshot.host)}")
    energy = ", ".join(f"{name} {wh:.3f} Wh" for name, wh in to_json(snapshot.energy).items())
    lines.append(f"energy      {energy}")
    lines.extend(f"error       {role}: {message}" for role, message in snapshot.degraded.items())
    return "\n".join(lines)


def _format_host(host: HostReading) -> str:
    """The Pi itself on one line; '?' for what its system does not show."""

    def shown(value: float | None, scale: float = 1.0, digits: int = 1) -> str:
        return "?" if value is None else f"{value / scale:.{digits}f}"

    flags = host.throttling
    return (
        f"CPU {shown(host.cpu_percent, digits=0)} %, "
        f"SoC {shown(host.soc_temperature)} °C, "
        f"memory {shown(host.available_memory_bytes, 2**30)} GiB available, "
        f"disk {shown(host.free_disk_bytes, 1e9)} GB free, "
        f"get_throttled {'?' if flags is None else hex(flags.bits)}"
    )


def _read(args: argparse.Namespace) -> int:
    data_dir = args.data_dir or (None if args.simulate else default_data_dir())
    wiring = load_config(args.config).hardware
    with open_hardware(
        wiring=wiring, simulate=_simulate(args), data_dir=data_dir, read_only=True
    ) as hardware:
        snapshot = hardware.sample(force=True)
    if args.json:
        print(json.dumps(to_json(snapshot), indent=2))
    else:
        print(_format_snapshot(snapshot))
    return (
        1
        if snapshot.degraded and not any((snapshot.battery, snapshot.solar, snapshot.witty_pi))
        else 0
    )


def _scan(args: argparse.Namespace) -> int:
    if simulate := _simulate(args):
        with open_hardware(wiring=HardwareConfig(), simulate=simulate, data_dir=None) as hardware:
            found = scan(hardware.bus)
    else:
        try:
            bus = open_bus(args.bus)
        except OSError as err:
            print(
                f"hardware-bridge: cannot open /dev/i2c-{args.bus}: {err.strerror or err} "
                "(enable I2C with dtparam=i2c_arm=on, or use --simulate)",
                file=sys.stderr,
            )
            return 2
        try:
            found = scan(bus)
        finally:
            bus.close()
    if args.json:
        print(
            json.dumps([{"address": f.address, "chip": f.chip, "detail": f.detail} for f in found])
        )
    else:
        print("\n".join(f.describe() for f in found) if found else "no device answered")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from hardware_bridge.api.server import serve  # noqa: PLC0415  (aiohttp only when serving)

    data_dir = args.data_dir or default_data_dir() / ("simulated" if args.simulate else "")
    data_dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(
        serve(
            config_file=args.config,
            simulate=_simulate(args),
            data_dir=data_dir,
            host=args.host,
            port=args.port,
            zeroconf=args.zeroconf,
        )
    )
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from hardware_bridge.runtime.doctor import Setup, Status, run_checks  # noqa: PLC0415

    data_dir = args.data_dir or default_data_dir() / ("simulated" if args.simulate else "")
    setup = Setup(args.config, _simulate(args), data_dir)
    findings = []
    for finding in run_checks(setup):
        findings.append(finding)
        if not args.json:
            print(finding.line(), flush=True)
    healthy = all(finding.status is not Status.FAIL for finding in findings)
    if args.json:
        checks = [{"check": f.check, "status": f.status.lower(), "detail": f.detail}
                  for f in findings]  # fmt: skip
        print(json.dumps({"ok": healthy, "checks": checks}, indent=2))
    return 0 if healthy else 1


def _openapi(args: argparse.Namespace) -> int:
    from hardware_bridge.api import openapi  # noqa: PLC0415  (the worker's SDK only when asked)

    text = openapi.text(openapi.generated(openapi.committed()))
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG
        if args.verbose
        else logging.INFO
        if args.command == "serve"
        else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        if args.command == "read":
            return _read(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "doctor":
            return _doctor(args)
        if args.command == "openapi":
            return _openapi(args)
        return _scan(args)
    except BridgeError as err:
        print(f"hardware-bridge: {err}", file=sys.stderr)
        return 2
