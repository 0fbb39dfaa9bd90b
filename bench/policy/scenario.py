"""Benchmark scenarios: a simulation scenario (the bridge's own schema) plus what the bench adds.

The physical tables (``[site]``, ``[weather]``, ``[panel]``, ``[battery]``,
``[charge_controller]``, ``[load]``, ``[hardware]``) are a ``hardware_bridge.sim`` scenario and
go through its schema unchanged; the first simulated day stands in for its ``[clock]``. The bench's
own tables say what kind of site it is (``grid_tied`` or ``off_grid``), the home, the devices,
the worker, its tasks, the forecast, the policy's knobs and the baselines'. README.md documents
every key with one example per kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import voluptuous as vol

from custom_components.positive_energy_worker.policy import PolicyConfig
from custom_components.positive_energy_worker.settings import (
    POLICY_KNOBS,
    SURPLUS_KNOBS,
    AutoSettings,
)
from custom_components.positive_energy_worker.surplus import OffGridConfig
from hardware_bridge.base.validators import check_file, number, one_of, table, text, whole
from hardware_bridge.config.loader import read_toml
from hardware_bridge.config.schema import POSITIVE, built
from hardware_bridge.sim.scenario import Scenario, parse_scenario

SCENARIO_DIR = Path(__file__).parent / "scenarios"
Opt = vol.Optional
HOURS = number(at_least=0, at_most=24)
# iExec's categories: the longest a task of each may compute (minutes).
CATEGORY_MINUTES = {"XS": 5, "S": 20, "M": 60, "L": 180, "XL": 600}
BENCH_KEYS = (
    "kind",
    "description",
    "start",
    "days",
    "seed",
    "home",
    "devices",
    "worker",
    "tasks",
    "forecast",
    "sensing",
    "policy",
    "off_grid",
    "baselines",
)


@dataclass(frozen=True)
class Appliance:
    """A household appliance used at random: it only adds to the home's load."""

    name: str
    watts: float
    minutes: float
    per_week: float
    earliest: float = 7.0  # local hours between which it starts
    latest: float = 21.0


@dataclass(frozen=True)
class Device:
    """A device compute yields to while it is on (a TV, a games console), on a daily pattern."""

    name: str
    start: float  # local hour it typically goes on
    hours: float
    chance: float = 1.0  # of a day having it
    days: str = "all"  # all, weekdays, weekend
    watts: float = 0.0  # what it adds to the home's load
    jitter_minutes: float = 30.0


@dataclass(frozen=True)
class Home:
    """A grid-tied home: BDEW H25 household load scaled to a year's consumption."""

    annual_kwh: float = 3500.0
    inverter_efficiency: float = 0.96
    appliances: tuple[Appliance, ...] = ()


@dataclass(frozen=True)
class Tasks:
    """Tasks as iExec's scheduler offers them: arrivals at ``per_hour`` (Poisson) to a worker
    that is up and free, log-normal lengths around a median capped at the category's limit; a
    started worker takes ``startup_minutes`` (its container, then registering with the
    scheduler) before it can take its first task."""

    category: str = "M"
    median_minutes: float = 10.0
    sigma: float = 0.8
    per_hour: float = 3.0
    startup_minutes: float = 2.0

    @property
    def limit_minutes(self) -> int:
        return CATEGORY_MINUTES[self.category]


@dataclass(frozen=True)
class Forecast:
    """A forecast entity's hourly "next hour" production: the clear-sky model times the hour's
    clear-sky index with a day-ahead error (sigma of its log; about 35 % RMSE hourly, as
    Lorenz et al. 2009 measured for day-ahead irradiance forecasts)."""

    enabled: bool = True
    error: float = 0.35
    # Off-grid: entities of the panel's energy tomorrow and the days after (forecast.solar's
    # "energy production tomorrow", Solcast's "forecast tomorrow", "forecast day 3"...), the
    # same forecast summed over each local day, for the reserve; ``lead_error`` the added sigma
    # of a day's log beyond tomorrow, growing with the square root of the lead.
    days: int = 3
    lead_error: float = 0.15


@dataclass(frozen=True)
class Sensing:
    """When Home Assistant sees the meters: a decision reads the meter as of ``latency_s``
    before it (at least the previous sample: sensors report every 10-60 s)."""

    latency_s: float = 60.0

    @property
    def lag_minutes(self) -> int:
        return max(1, int(np.ceil(self.latency_s / 60.0)))


@dataclass(frozen=True)
class Baselines:
    """The evcc PV-mode controller's settings: evcc's documented defaults (docs.evcc.io,
    reference/configuration/loadpoints: ``enable`` threshold 0 and delay 1m, ``disable``
    threshold 0 and delay 3m, ``guardduration`` 5m)."""

    evcc_enable_s: float = 60.0
    evcc_disable_s: float = 180.0
    evcc_disable_import_w: float = 0.0
    evcc_guard_s: float = 300.0


@dataclass(frozen=True)
class BenchScenario:
    """All a benchmark run needs."""

    name: str
    kind: str
    sim: Scenario
    start: date
    days: int
    seed: int
    worker_watts: float
    worker_idle_watts: float  # a running worker without a task
    options: dict[str, Any]  # the integration's options a user sets for this site
    description: str = ""
    home: Home = field(default_factory=Home)
    devices: tuple[Device, ...] = ()
    tasks: Tasks = field(default_factory=Tasks)
    forecast: Forecast = field(default_factory=Forecast)
    sensing: Sensing = field(default_factory=Sensing)
    off_grid: OffGridConfig | None = None
    baselines: Baselines = field(default_factory=Baselines)

    def with_days(self, days: int) -> BenchScenario:
        return replace(self, days=days)

    def settings(self) -> AutoSettings:
        """The integration's auto-mode settings for this site, as ``AutoSettings.from_options``
        reads the options a user of the site sets; PolicyConfig fields that are not options (a
        [policy] table's experiment, never in a shipped scenario) on top."""
        settings = AutoSettings.from_options(self.options)
        options = {"worker_watts", *POLICY_KNOBS, *SURPLUS_KNOBS}
        extra = {
            f.name: float(self.options[f.name])
            for f in fields(PolicyConfig)
            if f.name in self.options and f.name not in options
        }
        return replace(settings, policy=replace(settings.policy, **extra))


def a_date(value: Any) -> date:
    """A TOML date (a date-time's day)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise vol.Invalid(f"expected a date such as 2026-01-01, got {value!r}")


def _policy_keys() -> dict[Any, Any]:
    derived = {"worker_watts"}  # from [worker]
    keys: dict[Any, Any] = {
        Opt(f.name): number(at_least=-1000) for f in fields(PolicyConfig) if f.name not in derived
    }
    keys[Opt("task_hours")] = POSITIVE
    keys[Opt("smoothing_s")] = number(at_least=0)
    return keys


APPLIANCE = vol.All(
    table(
        {
            vol.Required("name"): text,
            vol.Required("watts"): POSITIVE,
            vol.Required("minutes"): POSITIVE,
            vol.Required("per_week"): POSITIVE,
            Opt("earliest"): HOURS,
            Opt("latest"): HOURS,
        }
    ),
    built(Appliance),
)
DEVICE = vol.All(
    table(
        {
            vol.Required("name"): text,
            vol.Required("start"): HOURS,
            vol.Required("hours"): HOURS,
            Opt("chance"): number(at_least=0, at_most=1),
            Opt("days"): one_of(("all", "weekdays", "weekend")),
            Opt("watts"): number(at_least=0),
            Opt("jitter_minutes"): number(at_least=0),
        }
    ),
    built(Device),
)
BENCH_FILE = table(
    {
        vol.Required("kind"): one_of(("grid_tied", "off_grid")),
        Opt("description"): text,
        vol.Required("start"): a_date,
        Opt("days"): whole(at_least=1, at_most=3660),
        Opt("seed"): whole(at_least=0),
        Opt("home"): table(
            {
                Opt("annual_kwh"): POSITIVE,
                Opt("inverter_efficiency"): number(above=0, at_most=1),
                Opt("appliances"): [APPLIANCE],
            }
        ),
        Opt("devices"): [DEVICE],
        Opt("worker"): table({Opt("watts"): POSITIVE, Opt("idle_watts"): number(at_least=0)}),
        Opt("tasks"): vol.All(
            table(
                {
                    Opt("category"): one_of(tuple(CATEGORY_MINUTES)),
                    Opt("median_minutes"): POSITIVE,
                    Opt("sigma"): number(at_least=0, at_most=3),
                    Opt("per_hour"): POSITIVE,
                    Opt("startup_minutes"): number(at_least=0),
                }
            ),
            built(Tasks),
        ),
        Opt("forecast"): vol.All(
            table(
                {
                    Opt("enabled"): bool,
                    Opt("error"): number(at_least=0, at_most=2),
                    Opt("days"): vol.All(int, vol.Range(min=0, max=7)),
                    Opt("lead_error"): number(at_least=0, at_most=2),
                }
            ),
            built(Forecast),
        ),
        Opt("sensing"): vol.All(table({Opt("latency_s"): number(at_least=0)}), built(Sensing)),
        Opt("policy"): table(_policy_keys()),
        Opt("off_grid"): table(
            {
                Opt(f.name): number(at_least=0)
                for f in fields(OffGridConfig)
                if f.name != "capacity_wh"
            }
        ),
        Opt("baselines"): vol.All(
            table({Opt(f.name): number(at_least=0) for f in fields(Baselines)}),
            built(Baselines),
        ),
    }
)


def scenario_path(name_or_path: str) -> Path:
    if name_or_path.endswith(".toml") or "/" in name_or_path:
        return Path(name_or_path)
    return SCENARIO_DIR / f"{name_or_path}.toml"


def parse_bench(document: dict[str, Any], name: str) -> BenchScenario:
    """A BenchScenario from a parsed TOML document; errors name ``name`` and the key."""
    bench_part = {k: v for k, v in document.items() if k in BENCH_KEYS}
    sim_part = {k: v for k, v in document.items() if k not in BENCH_KEYS}
    b = dict(check_file(BENCH_FILE, bench_part, name))
    start: date = b["start"]
    sim_part["clock"] = {"start": datetime(start.year, start.month, start.day)}
    sim = parse_scenario(sim_part, name)
    tasks: Tasks = b.get("tasks", Tasks())
    worker = b.get("worker", {})
    off_grid = None
    if b["kind"] == "off_grid":
        # The worker's power on a Pi is the load's rise from idle to busy.
        watts = worker.get("watts", sim.load.busy_watts - sim.load.idle_watts)
        pack = sim.hardware.battery.pack
        off_grid = OffGridConfig(capacity_wh=pack.capacity_wh, **b.get("off_grid", {}))
    else:
        watts = worker.get("watts", 100.0)
    forecast: Forecast = b.get("forecast", Forecast(enabled=b["kind"] == "grid_tied"))
    # What a user of this site sets in the options flow: the worker's power, the length of its
    # tasks (the category's limit), the surplus source and a forecast entity if there is one.
    # A [policy] table (optional) adds options, or PolicyConfig fields, on top: for trying a
    # setting out; the shipped scenarios have none, so the report is the defaults a user gets.
    options: dict[str, Any] = {
        "worker_watts": watts,
        "task_hours": tasks.limit_minutes / 60.0,
        "surplus_source": "off_grid" if b["kind"] == "off_grid" else "meters",
    }
    if b["kind"] == "grid_tied":
        # The pair the Energy dashboard has: it lets the forecast count the home's use.
        options["production_power"] = "sensor.solar_power"
        options["consumption_power"] = "sensor.home_power"
    if forecast.enabled:
        options["forecast"] = "sensor.energy_production_next_hour"
    if b["kind"] == "off_grid" and forecast.days:
        days = ("tomorrow", *(f"day_{n}" for n in range(3, forecast.days + 2)))
        options["forecast_days"] = [f"sensor.solar_forecast_{day}" for day in days]
    options.update(b.get("policy", {}))
    home = b.get("home", {})
    appliances = tuple(home.pop("appliances", ()))
    return BenchScenario(
        name=name,
        kind=b["kind"],
        sim=sim,
        start=start,
        days=b.get("days", 365),
        seed=b.get("seed", 1),
        worker_watts=watts,
        # A PC's idle share of its busy draw; a Pi's worker container idling (its JVM).
        worker_idle_watts=worker.get(
            "idle_watts", 0.25 * watts if off_grid is None else 0.1 * watts
        ),
        options=options,
        description=b.get("description", ""),
        home=Home(appliances=appliances, **home),
        devices=tuple(b.get("devices", ())),
        tasks=tasks,
        forecast=forecast,
        sensing=b.get("sensing", Sensing()),
        off_grid=off_grid,
        baselines=b.get("baselines", Baselines()),
    )


def load_bench(name_or_path: str) -> BenchScenario:
    path = scenario_path(name_or_path)
    return parse_bench(read_toml(path), path.stem)
