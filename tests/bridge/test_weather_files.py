"""Scenario weather: every typical-year format pvlib reads drives the simulation, and any other
file is a one-line error that names it.

pvlib ships TMY3 and TMY2 files; the EPW and PVGIS files here are written from its TMY3 file for
Greensboro, so each must give the same weather as the file it was made from.
"""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pvlib
import pytest

from hardware_bridge.base.errors import ConfigError
from hardware_bridge.sim.clock import ManualClock
from hardware_bridge.sim.scenario import load_scenario
from hardware_bridge.sim.solar import clear_sky_energy
from hardware_bridge.sim.weather import day_weather
from hardware_bridge.sim.world import Simulation

PVLIB_DATA = Path(pvlib.__file__).parent / "data"
GREENSBORO = {"latitude": 36.1, "longitude": -79.95, "altitude": 273}
MIAMI = {"latitude": 25.8, "longitude": -80.27, "altitude": 2}
JUNE_DAY = date(2026, 6, 16)


def write_scenario(path, weather_file, site=GREENSBORO):
    site_lines = "\n".join(f"{key} = {value}" for key, value in site.items())
    path.write_text(
        f'[site]\n{site_lines}\ntimezone = "America/New_York"\n'
        f'[weather]\nsource = "tmy"\ntmy_file = "{weather_file}"\n'
        "[clock]\nstart = 2026-06-16T00:00:00\n"
        '[hardware.witty_pi]\nrtc_timezone = "UTC"\n'
    )
    return str(path)


def greensboro_hours():
    """pvlib's TMY3 for Greensboro, each row stamped at the end of its hour (local standard)."""
    data, _ = pvlib.iotools.read_tmy3(str(PVLIB_DATA / "723170TYA.CSV"), map_variables=True)
    return data


def write_epw(path):
    """An EnergyPlus weather file: 8 header lines, then 35 fields an hour (hour 1 ends at 1:00)."""
    header = [
        "LOCATION,GREENSBORO,NC,USA,TMY3,723170,36.1,-79.95,-5.0,273.0",
        "DESIGN CONDITIONS,0",
        "TYPICAL/EXTREME PERIODS,0",
        "GROUND TEMPERATURES,0",
        "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0",
        "COMMENTS 1,written from pvlib's 723170TYA.CSV",
        "COMMENTS 2,",
        "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31",
    ]
    rows = []
    for _, row in greensboro_hours().iterrows():
        month, day, year = row["Date (MM/DD/YYYY)"].split("/")
        hour = int(row["Time (HH:MM)"].split(":")[0])
        fields = [year, month, day, hour, 60, "?", row["temp_air"], row["temp_dew"]]
        fields += [row["relative_humidity"], row["pressure"] * 100, 0, 0, 0]
        fields += [row["ghi"], row["dni"], row["dhi"], 0, 0, 0, 0, row["wind_direction"]]
        fields += [row["wind_speed"], *[0] * 13]
        rows.append(",".join(str(f) for f in fields))
    path.write_text("\n".join(header + rows) + "\n")
    return path


def pvgis_rows():
    """PVGIS stamps each hour at its start, in UTC."""
    hours = greensboro_hours()
    starts = (hours.index - np.timedelta64(1, "h")).tz_convert("UTC")
    return [
        {
            "time(UTC)": start.strftime("%Y%m%d:%H%M"),
            "T2m": row["temp_air"],
            "RH": row["relative_humidity"],
            "G(h)": row["ghi"],
            "Gb(n)": row["dni"],
            "Gd(h)": row["dhi"],
            "IR(h)": 0.0,
            "WS10m": row["wind_speed"],
            "WD10m": row["wind_direction"],
            "SP": row["pressure"] * 100,
        }
        for start, (_, row) in zip(starts, hours.iterrows(), strict=True)
    ]


def write_pvgis_json(path):
    months = [{"month": m, "year": 2007} for m in range(1, 13)]
    document = {
        "inputs": {"location": {"latitude": 36.1, "longitude": -79.95, "elevation": 273}},
        "outputs": {"months_selected": months, "tmy_hourly": pvgis_rows()},
        "meta": {"inputs": {}, "outputs": {}},
    }
    path.write_text(json.dumps(document))
    return path


def write_pvgis_csv(path):
    rows = pvgis_rows()
    lines = [
        "Latitude (decimal degrees): 36.100",
        "Longitude (decimal degrees): -79.950",
        "Elevation (m): 273.0",
        "month,year",
        *(f"{m},2007" for m in range(1, 13)),
        ",".join(rows[0]),
        *(",".join(str(v) for v in row.values()) for row in rows),
        "T2m: 2-m air temperature (degree Celsius)",
    ]
    path.write_text("\r\n".join(lines) + "\r\n")
    return path


def june_day(scenario_file):
    scenario = load_scenario(scenario_file)
    return scenario, day_weather(scenario.site, scenario.weather, JUNE_DAY)


def simulated_day(scenario_file):
    """A day of the simulation: what the panel gave (Wh, taken or curtailed), the mean air °C."""
    scenario = load_scenario(scenario_file)
    clock = ManualClock(scenario.clock.start)
    simulation = Simulation(scenario, clock)
    temperatures = []
    for _ in range(24 * 12):
        clock.advance(300)
        temperatures.append(simulation.advance().air_temperature)
    energy = simulation.truth.energy
    return energy.solar + energy.curtailed, float(np.mean(temperatures))


def test_pvlibs_tmy2_file_drives_the_simulation(tmp_path):
    scenario_file = write_scenario(tmp_path / "miami.toml", "12839.tm2", site=MIAMI)
    panel_wh, mean_air = simulated_day(scenario_file)
    scenario = load_scenario(scenario_file)
    clear_wh = clear_sky_energy(scenario.site, scenario.panel, scenario.clock.start, hours=24)
    assert 0.3 * clear_wh < panel_wh < 1.05 * clear_wh  # a real day: some clouds, never more
    assert 22 < mean_air < 34  # in °C: TMY2 gives tenths, which must not reach the panel model


def test_an_epw_file_gives_the_weather_of_the_file_it_was_written_from(tmp_path):
    _, tmy3 = june_day(write_scenario(tmp_path / "tmy3.toml", "723170TYA.CSV"))
    epw_file = write_epw(tmp_path / "greensboro.epw")
    _, epw = june_day(write_scenario(tmp_path / "epw.toml", epw_file))
    np.testing.assert_allclose(epw.ghi, tmy3.ghi)
    np.testing.assert_allclose(epw.dni, tmy3.dni)
    np.testing.assert_allclose(epw.temp_air, tmy3.temp_air)
    np.testing.assert_allclose(epw.wind_speed, tmy3.wind_speed)


@pytest.mark.parametrize("write", [write_pvgis_json, write_pvgis_csv])
def test_a_pvgis_tmy_file_gives_the_days_energy_of_the_file_it_was_written_from(tmp_path, write):
    tmy3_wh, tmy3_air = simulated_day(write_scenario(tmp_path / "tmy3.toml", "723170TYA.CSV"))
    pvgis_file = write(tmp_path / f"greensboro.{write.__name__.rsplit('_', 1)[-1]}")
    pvgis_wh, pvgis_air = simulated_day(write_scenario(tmp_path / "pvgis.toml", pvgis_file))
    # PVGIS stamps the hour where it starts, TMY3 where it ends: the same day's energy.
    assert pvgis_wh == pytest.approx(tmy3_wh, rel=0.05)
    assert pvgis_air == pytest.approx(tmy3_air, abs=0.5)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("weather.txt", "sunny, mostly\n"),
        ("weather.epw", "LOCATION,nowhere\nnot,an,epw\n"),
        ("weather.csv", "a,b\n1,2\n"),
        ("weather.json", '{"not": "pvgis"}'),
    ],
)
def test_a_file_of_no_known_weather_format_is_a_one_line_error_naming_it(tmp_path, name, content):
    weather = tmp_path / name
    weather.write_text(content)
    with pytest.raises(ConfigError) as raised:
        load_scenario(write_scenario(tmp_path / "scenario.toml", weather))
    message = str(raised.value)
    assert str(weather) in message
    assert "weather.tmy_file" in message
    assert "\n" not in message


def test_a_bad_weather_file_stops_the_command_with_one_line_and_no_traceback(tmp_path):
    weather = tmp_path / "weather.txt"
    weather.write_text("station,name\n1,2\n")
    scenario = write_scenario(tmp_path / "scenario.toml", weather)
    result = subprocess.run(
        [sys.executable, "-m", "hardware_bridge", "read", "--simulate", scenario],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert str(weather) in result.stderr
