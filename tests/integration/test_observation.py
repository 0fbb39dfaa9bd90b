"""The observation the policy gets, from Home Assistant's entities: each surplus source, the home
battery's priority, units, the forecast, busy devices and consumers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from homeassistant.core import HomeAssistant

from bench.policy.bridge_view import bridge_state
from custom_components.positive_energy_worker.models import BatteryInfo, BridgeDevice, WorkerState
from custom_components.positive_energy_worker.observation import Observer
from custom_components.positive_energy_worker.settings import AutoSettings

DEVICE = BridgeDevice(
    device_id="0123456789abcdef",
    model="Raspberry Pi (simulated)",
    bridge_version="0.1.0",
    api_version=1,
    simulated=True,
    scenario=None,
    witty_pi=None,
    battery=BatteryInfo(chemistry="lifepo4", nominal_voltage=12.8, capacity_ah=20.0),
    worker_image="positive-energy/standin-worker:2",
)
DEVICE_WH = 12.8 * 20.0  # the battery's energy
WATTS = {"unit_of_measurement": "W", "device_class": "power"}


def observer(hass: HomeAssistant, **options: Any) -> Observer:
    return Observer(hass, AutoSettings.from_options({"smoothing_s": 0, **options}), DEVICE, {})


def surplus(hass: HomeAssistant, **options: Any) -> float | None:
    return observer(hass, **options).observe(1000.0, None).surplus_w


@pytest.mark.parametrize(
    ("state", "attributes", "export_positive", "expected"),
    [
        ("-250", WATTS, False, 250.0),  # import counts positive: exporting 250 W
        ("250", WATTS, False, -250.0),  # importing
        ("250", WATTS, True, 250.0),  # the inverter counts export positive
        ("-0.25", {"unit_of_measurement": "kW"}, False, 250.0),
    ],
)
async def test_a_grid_sensor_gives_the_export_in_either_convention_and_unit(
    hass: HomeAssistant, state: str, attributes: dict[str, str], export_positive: bool, expected
) -> None:
    hass.states.async_set("sensor.grid", state, attributes)
    seen = surplus(
        hass, surplus_source="grid", grid_power="sensor.grid", export_positive=export_positive
    )
    assert seen == pytest.approx(expected)


async def test_production_less_consumption_is_the_export(hass: HomeAssistant) -> None:
    hass.states.async_set("sensor.pv", "1000", WATTS)
    hass.states.async_set("sensor.home", "400", WATTS)
    options = {
        "surplus_source": "meters",
        "production_power": "sensor.pv",
        "consumption_power": "sensor.home",
    }
    assert surplus(hass, **options) == pytest.approx(600.0)


async def test_an_unread_meter_is_no_surplus(hass: HomeAssistant) -> None:
    hass.states.async_set("sensor.grid", "unavailable", WATTS)
    seen = observer(hass, surplus_source="grid", grid_power="sensor.grid").observe(1000.0, None)
    assert seen.surplus_w is None
    assert seen.observation.surplus_w == 0.0  # nothing starts on a reading nobody made


async def test_a_home_battery_below_its_priority_comes_first(hass: HomeAssistant) -> None:
    hass.states.async_set("sensor.grid", "-500", WATTS)
    hass.states.async_set("sensor.home_battery", "50", {"unit_of_measurement": "%"})
    hass.states.async_set("sensor.home_battery_power", "1000", WATTS)
    options = {
        "surplus_source": "grid",
        "grid_power": "sensor.grid",
        "home_battery_soc": "sensor.home_battery",
        "home_battery_power": "sensor.home_battery_power",
        "max_charge_w": 3000,
        "priority_soc": 80,
    }
    # It could take 2000 W more: that comes before compute.
    assert surplus(hass, **options) == pytest.approx(500.0 - 2000.0)
    hass.states.async_set("sensor.home_battery", "90", {"unit_of_measurement": "%"})
    # Past its priority, its charging is surplus too.
    assert surplus(hass, **options) == pytest.approx(500.0 + 1000.0)
    seen = observer(hass, **options).observe(1000.0, None)
    assert seen.observation.battery_soc == 90.0  # the reserve watches the home battery


async def test_without_a_production_sensor_the_forecast_is_the_entitys_next_hour(
    hass: HomeAssistant,
) -> None:
    hass.states.async_set("sensor.grid", "-250", WATTS)
    hass.states.async_set("sensor.next_hour", "1.2", {"unit_of_measurement": "kWh"})
    options = {
        "surplus_source": "grid",
        "grid_power": "sensor.grid",
        "forecast": "sensor.next_hour",
        "task_hours": 2.0,
    }
    seen = observer(hass, **options).observe(1000.0, None)
    # A grid meter alone does not tell the home's use: the forecast is taken whole.
    assert seen.observation.forecast_wh == pytest.approx(1200.0 * 2.0)


async def test_with_a_production_sensor_the_present_production_is_carried_along_the_clear_sky(
    hass: HomeAssistant,
) -> None:
    await hass.config.async_update(latitude=36.1, longitude=-79.95)
    hass.states.async_set("sensor.pv", "1000", WATTS)
    hass.states.async_set("sensor.home", "400", WATTS)
    hass.states.async_set("sensor.next_hour", "5.0", {"unit_of_measurement": "kWh"})
    options = {
        "surplus_source": "meters",
        "production_power": "sensor.pv",
        "consumption_power": "sensor.home",
        "forecast": "sensor.next_hour",
        "task_hours": 0.5,
    }
    watcher = observer(hass, **options)
    noon = datetime(2026, 6, 21, 17, 20, tzinfo=UTC).timestamp()  # solar noon at the location
    promise = watcher.observe(noon, None).observation.forecast_wh
    # The next half hour at noon looks like now: 1000 W, less the home's 400 W; the entity's
    # 5 kWh is not what the gate goes by.
    assert promise == pytest.approx((1000.0 - 400.0) * 0.5, rel=0.03)
    # At sunset the same 1000 W promise nothing for the half hour ahead.
    sunset = datetime(2026, 6, 22, 0, 40, tzinfo=UTC).timestamp()
    assert watcher.observe(sunset, None).observation.forecast_wh == 0.0


async def test_busy_devices_and_priority_consumers_make_compute_yield(
    hass: HomeAssistant,
) -> None:
    hass.states.async_set("media_player.tv", "playing")
    hass.states.async_set("binary_sensor.ev_charging", "on")
    hass.states.async_set("light.desk", "unavailable")
    options = {
        "idle_entities": ["media_player.tv", "light.desk"],
        "priority_consumers": ["binary_sensor.ev_charging"],
    }
    watcher = observer(hass, **options)
    assert set(watcher.tracked()) == {
        "media_player.tv",
        "light.desk",
        "binary_sensor.ev_charging",
    }
    seen = watcher.observe(1000.0, None)
    assert seen.idle.busy == ("media_player.tv",)  # home devices: not the consumers
    assert seen.idle.unknown == ("light.desk",)
    assert seen.observation.busy == ("media_player.tv", "binary_sensor.ev_charging")


async def test_the_smoothed_surplus_and_the_task_survive_through_to_dict(
    hass: HomeAssistant,
) -> None:
    hass.states.async_set("sensor.grid", "-100", WATTS)
    options = AutoSettings.from_options(
        {"surplus_source": "grid", "grid_power": "sensor.grid", "smoothing_s": 60}
    )
    first = Observer(hass, options, DEVICE, {})
    first.observe(1000.0, None)
    hass.states.async_set("sensor.grid", "100", WATTS)
    smoothed = first.observe(1060.0, None).surplus_w
    assert -100.0 < smoothed < 100.0
    resumed = Observer(hass, options, DEVICE, first.to_dict())
    assert resumed.observe(1060.0, None).surplus_w == pytest.approx(smoothed)


async def test_off_grid_a_dull_tomorrow_in_the_forecast_entity_raises_the_reserve(
    hass: HomeAssistant,
) -> None:
    await hass.config.async_update(latitude=36.1, longitude=-79.95)
    hass.states.async_set("sensor.tomorrow", "0.004", {"unit_of_measurement": "kWh"})
    options = {"surplus_source": "off_grid", "battery_reserve_soc": 0}
    plain = observer(hass, **options)
    forecast = observer(hass, **options, forecast_days=["sensor.tomorrow"])
    assert "sensor.tomorrow" in forecast.tracked()
    start = datetime(2026, 4, 1, tzinfo=UTC).timestamp()
    reserves: dict[str, float | None] = {}
    # Two bright days with the pack full, so both lend; then 3 pm, tomorrow 4 Wh.
    for minute in range(2 * 1440 + 20 * 60):
        t = start + 60.0 * minute
        hour = (t / 3600.0 - 5.0) % 24.0  # local time, near enough
        panel = 40.0 if 8.0 <= hour <= 17.0 else 0.0
        state = bridge_state(WorkerState.STOPPED, False, 100.0, panel - 2.7, panel)
        for name, watcher in (("plain", plain), ("forecast", forecast)):
            reserves[name] = watcher.observe(t, state).observation.reserve_soc
    assert reserves["plain"] is not None
    assert reserves["forecast"] is not None
    # Tomorrow's 4 Wh leave nearly all of a day's 65 Wh uncovered: that much more is kept.
    kept_wh = (reserves["forecast"] - reserves["plain"]) / 100.0 * DEVICE_WH
    assert kept_wh == pytest.approx((2.7 * 24 - 4.0) * 1.2, rel=0.05)


async def test_the_days_ahead_are_read_in_order_up_to_the_first_unread(
    hass: HomeAssistant,
) -> None:
    kwh = {"unit_of_measurement": "kWh"}
    hass.states.async_set("sensor.tomorrow", "0.2", kwh)
    hass.states.async_set("sensor.day_3", "150", {"unit_of_measurement": "Wh"})
    hass.states.async_set("sensor.day_4", "unavailable", kwh)
    hass.states.async_set("sensor.day_5", "0.3", kwh)
    days = ["sensor.tomorrow", "sensor.day_3", "sensor.day_4", "sensor.day_5"]
    watcher = observer(hass, surplus_source="off_grid", forecast_days=days)
    assert set(days) <= set(watcher.tracked())
    # A day unread breaks the sequence: the days after it would be taken for the wrong ones.
    assert watcher._home(()).days_ahead_wh == (200.0, 150.0)


@pytest.mark.parametrize(
    ("latitude", "longitude", "lends"),
    [
        (59.91, 10.75, True),  # Oslo: the sun peaks under 10 degrees, and a tilted panel works
        (69.65, 18.96, False),  # Tromso: the polar night, no sun for weeks
    ],
)
async def test_off_grid_a_low_winter_sun_still_ends_the_night(
    hass: HomeAssistant, latitude: float, longitude: float, lends: bool
) -> None:
    await hass.config.async_update(latitude=latitude, longitude=longitude)
    watcher = observer(hass, surplus_source="off_grid", battery_reserve_soc=0)
    start = datetime(2026, 12, 1, tzinfo=UTC).timestamp()
    reserve: float | None = None
    # Two December days whose panel carries the Pi around noon with the pack full, then 1 pm.
    for minute in range(2 * 1440 + 12 * 60):
        t = start + 60.0 * minute
        hour = (t / 3600.0) % 24.0  # UTC; solar noon is about 11:15 at Oslo
        panel = 30.0 if 9.5 <= hour <= 13.0 else 0.0
        state = bridge_state(WorkerState.STOPPED, False, 100.0, panel - 2.7, panel)
        reserve = watcher.observe(t, state).observation.reserve_soc
    assert reserve is not None
    if lends:
        # The night to the next noon (about 23 h of the Pi's draw) and an overcast day's deficit,
        # with their margin: about half the pack, not all of it.
        assert 40.0 < reserve < 70.0
    else:
        assert reserve == 100.0
