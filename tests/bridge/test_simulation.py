"""The physical simulation: the sun as pvlib sees it, a battery true to its capacity, the load."""

import tomllib
from datetime import UTC, datetime, timedelta

import pytest

from hardware_bridge.base.errors import ConfigError
from hardware_bridge.hardware.drivers.register_device import RetryPolicy
from hardware_bridge.hardware.drivers.witty_pi import WittyPi4
from hardware_bridge.sim.clock import ManualClock, ScaledClock
from hardware_bridge.sim.scenario import (
    SCENARIO_DIR,
    ClockSettings,
    load_scenario,
    parse_scenario,
    with_clock,
)
from hardware_bridge.sim.solar import clear_sky_energy
from hardware_bridge.sim.world import Simulation
from tests.support.clock import JUNE_MORNING, june_morning

NO_SLEEP = RetryPolicy(sleep=lambda _: None)


def merge(base, changes):
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = value


def scenario_with(name, **tables):
    """A shipped scenario with some of its keys changed."""
    data = tomllib.loads((SCENARIO_DIR / f"{name}.toml").read_text())
    merge(data, tables)
    return parse_scenario(data, name)


def run(simulation, clock, hours, step=60.0, every=None):
    for i in range(int(hours * 3600 / step)):
        clock.advance(step)
        simulation.advance()
        if every is not None:
            every(i)
    return simulation.truth


def test_a_clear_summer_day_yields_what_pvlib_expects_and_the_bridge_counts_it():
    scenario = load_scenario("clear_summer_day")
    clock = ManualClock(scenario.clock.start)
    simulation = Simulation(scenario, clock)
    hardware = simulation.hardware(retry=NO_SLEEP)
    hardware.sample()
    snapshots = []
    for _ in range(24 * 60):
        clock.advance(60)
        snapshots.append(hardware.sample())
    truth = simulation.truth
    expected = clear_sky_energy(scenario.site, scenario.panel, scenario.clock.start, hours=24)
    assert 400 < expected < 800  # a 100 Wp panel on a June day
    assert truth.energy.curtailed == 0  # the bank never filled: all the panel gave was taken
    assert truth.energy.solar == pytest.approx(expected, rel=0.10)
    # What the bridge measured through the emulated INA219 matches what the world produced.
    counted = snapshots[-1].energy.solar_harvested
    assert counted == pytest.approx(truth.energy.solar, rel=0.02)
    assert snapshots[-1].degraded == {}
    noon = max(snapshots, key=lambda s: s.solar.power)
    assert 11 <= noon.time.astimezone(scenario.zone).hour <= 14  # solar noon, in daylight time


def test_the_battery_discharges_by_night_as_its_capacity_says():
    scenario = load_scenario("clear_summer_day")
    clock = ManualClock(scenario.clock.start)
    simulation = Simulation(scenario, clock)
    before = simulation.truth
    night = run(simulation, clock, hours=5)  # midnight to 05:00, before sunrise
    assert night.energy.solar == 0
    drawn_wh = night.energy.battery_out
    assert drawn_wh == pytest.approx(5 * scenario.load.idle_watts, rel=0.01)
    mean_volts = (before.battery_voltage + night.battery_voltage) / 2
    expected_drop = 100 * drawn_wh / mean_volts / scenario.hardware.battery.capacity_ah
    assert before.soc - night.soc == pytest.approx(expected_drop, rel=0.02)


def test_the_battery_charges_by_day_and_a_full_one_curtails_the_panel():
    scenario = scenario_with(
        "clear_summer_day", battery={"initial_soc": 40}, hardware={"battery": {"capacity_ah": 20}}
    )
    clock = ManualClock(scenario.clock.start)
    simulation = Simulation(scenario, clock)
    socs = []
    run(simulation, clock, hours=24, every=lambda _: socs.append(simulation.truth))
    sunrise_soc = min(t.soc for t in socs)
    assert max(t.soc for t in socs) >= 99.9
    truth = simulation.truth
    assert truth.energy.curtailed > 50
    # Charge in, at LiFePO4's 99 % coulombic efficiency, fills the pack from its low point.
    full = next(t for t in socs if t.soc >= 99.9)
    assert full.time.astimezone(scenario.zone).hour < 16
    assert sunrise_soc < 40
    at_noon = next(t for t in socs if t.time.astimezone(scenario.zone).hour == 13)
    assert at_noon.curtailed_power > 0
    assert at_noon.battery_current < scenario.charge_controller.max_charge_current / 2  # tapered


def test_a_pwm_controller_takes_the_panels_current_at_the_batterys_voltage():
    # PWM pulls the panel down to the battery: its current at that voltage, not its maximum
    # power, is what comes in, and what the panel reads is what the battery and the Pi take.
    scenario = scenario_with(
        "clear_summer_day", battery={"initial_soc": 40}, charge_controller={"kind": "pwm"}
    )
    clock = ManualClock(scenario.clock.start)
    simulation = Simulation(scenario, clock)
    states = []
    run(simulation, clock, hours=24, every=lambda _: states.append(simulation.truth))
    noon = next(t for t in states if t.time.astimezone(scenario.zone).hour == 13)
    assert noon.soc < 99.0  # still charging: nothing curtailed
    assert noon.solar_voltage == pytest.approx(noon.battery_voltage)
    taken = noon.battery_voltage * noon.battery_current + noon.load_power
    assert noon.solar_power == pytest.approx(taken, rel=0.02)
    assert noon.solar_power == pytest.approx(noon.solar_voltage * noon.solar_current)
    assert noon.curtailed_power == 0.0
    # The same panel on MPPT gives more: its maximum power, less the converter's loss.
    mppt_clock = ManualClock(scenario.clock.start)
    mppt = Simulation(scenario_with("clear_summer_day", battery={"initial_soc": 40}), mppt_clock)
    at_noon = run(mppt, mppt_clock, hours=(noon.time - scenario.clock.start).total_seconds() / 3600)
    assert at_noon.solar_power > 1.2 * noon.solar_power


@pytest.mark.parametrize("chemistry", ["lead_acid", "lifepo4"])
def test_a_full_pack_holds_no_more_and_the_rest_is_curtailed(chemistry: str):
    # A lead-acid pack's absorption voltage stands far above its rest voltage even when full:
    # the voltage alone would let the controller push current into it, and that energy vanished.
    scenario = scenario_with(
        "clear_summer_day",
        battery={"initial_soc": 100},
        charge_controller={"kind": "pwm"},
        hardware={"battery": {"chemistry": chemistry, "capacity_ah": 20}},
    )
    clock = ManualClock(scenario.clock.start)
    simulation = Simulation(scenario, clock)
    states = []
    run(simulation, clock, hours=24, every=lambda _: states.append(simulation.truth))
    noon = next(t for t in states if t.time.astimezone(scenario.zone).hour == 13)
    assert noon.soc >= 99.9
    # The panel carries the load and nothing more goes in: the rest is booked as curtailed.
    assert noon.battery_current == pytest.approx(0.0, abs=0.05)
    assert noon.curtailed_power > 10.0
    energy = simulation.truth.energy
    assert energy.curtailed > 100.0


def test_the_worker_makes_the_pi_draw_more():
    scenario = june_morning()
    clock = ManualClock(JUNE_MORNING)
    simulation = Simulation(scenario, clock)
    idle = run(simulation, clock, hours=0.1)
    simulation.set_worker_cpu(1.0)
    busy = run(simulation, clock, hours=0.1)
    assert idle.load_power == pytest.approx(scenario.load.idle_watts)
    assert busy.load_power == pytest.approx(scenario.load.busy_watts)
    witty = WittyPi4(simulation.bus, retry=NO_SLEEP)
    assert witty.read_power().output_current == pytest.approx(6.4 / 5.1, abs=0.03)


def test_the_witty_pi_cuts_a_flat_battery_and_restores_power_in_the_sun():
    scenario = scenario_with(
        "clear_summer_day", battery={"initial_soc": 11}, hardware={"battery": {"capacity_ah": 20}}
    )
    clock = ManualClock(scenario.clock.start)
    simulation = Simulation(scenario, clock)
    witty = WittyPi4(simulation.bus, rtc_timezone=UTC, retry=NO_SLEEP)
    witty.set_low_voltage_threshold(12.0)
    witty.set_recovery_voltage(12.9)
    states = []
    run(simulation, clock, hours=14, every=lambda _: states.append(simulation.truth))
    cut = next(t for t in states if not t.pi_powered)
    assert cut.time.astimezone(scenario.zone).hour < 6  # in the night
    assert cut.load_power == 0
    back = next(t for t in states if t.time > cut.time and t.pi_powered)
    assert back.solar_power > 0  # the sun brought it back
    status = witty.read_status()
    assert status.action_reason_name == "voltage_restored"


def test_the_same_scenario_at_the_same_times_is_the_same_world():
    def day():
        scenario = june_morning()
        clock = ManualClock(JUNE_MORNING)
        return run(Simulation(scenario, clock), clock, hours=6, step=90)

    assert day() == day()


def test_tmy_weather_is_not_a_clear_sky():
    scenario = load_scenario("default")
    clock = ManualClock(datetime(2026, 6, 1, 4, tzinfo=UTC))
    simulation = Simulation(scenario, clock)
    days = []
    for _ in range(7):
        before = simulation.truth.energy.solar
        run(simulation, clock, hours=24, step=120)
        days.append(simulation.truth.energy.solar - before)
    assert max(days) > 1.5 * min(days)  # clouds come and go in a real June


def test_the_default_scenario_starts_now_in_real_time_unless_pinned():
    assert load_scenario("default").clock == ClockSettings(start=None, speed=1.0)
    pinned = with_clock(load_scenario("default"), datetime(2026, 6, 15, 6), 60)
    assert pinned.clock.start == JUNE_MORNING  # no offset: the local time at the site
    assert pinned.clock.speed == 60
    assert with_clock(load_scenario("clear_summer_day")).clock.start is not None


def test_the_scaled_clock_runs_faster_than_real_time():
    now = [100.0]
    start = datetime(2026, 6, 15, 12, tzinfo=UTC)
    clock = ScaledClock(start, speed=60, monotonic=lambda: now[0])
    now[0] += 2.5
    assert clock.now() == start + timedelta(minutes=2.5)
    assert clock() == clock.now()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"panel": {"tilt": 120}},
            r"clear_summer_day: panel\.tilt: expected a number within 0\.\.90",
        ),
        ({"site": {"timezone": "Mars/Olympus"}}, "unknown time zone 'Mars/Olympus'"),
        ({"weather": {"source": "tmy"}}, r"weather\.tmy_file: required with source = 'tmy'"),
        ({"weather": {"source": "tmy", "tmy_file": "nope.csv"}}, "nope.csv does not exist"),
        ({"panel": {"colour": "blue"}}, r"panel: unknown key\(s\) colour"),
        ({"hardware": {"solar": {"chip": "ina3221"}}}, "hardware.solar.chip: expected one of"),
    ],
)
def test_a_bad_scenario_is_a_clear_error(change, message):
    with pytest.raises(ConfigError, match=message):
        scenario_with("clear_summer_day", **change)


def test_an_unknown_scenario_lists_the_shipped_ones():
    with pytest.raises(ConfigError, match="choose one of clear_summer_day, default, li_ion_gauge"):
        load_scenario("sahara")


def test_a_scenario_wiring_only_the_battery_reads_every_part(tmp_path):
    path = tmp_path / "battery_only.toml"
    path.write_text(
        "[site]\nlatitude = 36.1\nlongitude = -79.95\n"
        "[clock]\nstart = 2026-06-21T12:00:00\n"
        "[hardware.battery]\ncapacity_ah = 100\n"
    )
    scenario = load_scenario(str(path))
    snapshot = (
        Simulation(scenario, ManualClock(scenario.clock.start))
        .hardware(retry=NO_SLEEP)
        .sample(force=True)
    )
    assert snapshot.degraded == {}
    assert snapshot.battery.capacity_ah == 100
    assert snapshot.battery.chip == "INA226@0x41"
    assert snapshot.solar.chip == "INA219@0x40"
    assert snapshot.witty_pi.model == "Witty Pi 4"
