"""The dashboard's words (docs/dashboard.yaml), rendered by Home Assistant's own template engine
from the states a newcomer meets: the battery's power with its direction (none at 0 W), what
"surplus" means, the window's reason in plain words and the busy devices by their names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from homeassistant.core import HomeAssistant
from homeassistant.helpers.template import Template

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "dashboard.yaml"
WINDOW = "binary_sensor.iexec_worker_compute_window"


def markdown(containing: str) -> str:
    """The content of the dashboard's markdown card that holds ``containing``."""
    views = yaml.safe_load(DASHBOARD.read_text())["views"]
    cards = [card for view in views for s in view["sections"] for card in s["cards"]]
    (content,) = [
        c["content"] for c in cards if c["type"] == "markdown" and containing in c["content"]
    ]
    text: str = content
    return text


async def render(hass: HomeAssistant, content: str) -> str:
    rendered: Any = Template(content, hass).async_render(parse_result=False)
    return " ".join(str(rendered).split())


async def test_the_flow_says_the_batterys_direction_and_what_surplus_means(
    hass: HomeAssistant,
) -> None:
    flow = markdown("surplus for compute")
    for watts, words in (("0.2", "0.2 W**<br>idle"), ("-3.1", "3.1 W**<br>discharging"),
                         ("5", "5.0 W**<br>charging")):  # fmt: skip
        hass.states.async_set("sensor.battery_power", watts)
        assert words in await render(hass, flow), watts
    assert "*Surplus*: the sun's power beyond what the Pi and the battery's charging need" in (
        await render(hass, flow)
    )


async def test_the_window_gives_its_reason_in_words_and_devices_by_name(
    hass: HomeAssistant,
) -> None:
    card = markdown("set reasons")
    hass.states.async_set(WINDOW, "on", {"reason": "surplus", "detail": "12 W"})
    assert await render(hass, card) == "**Open**: the sun covers the worker"
    hass.states.async_set("input_boolean.tv", "on", {"friendly_name": "TV"})
    hass.states.async_set("media_player.den", "playing", {"friendly_name": "Den speaker"})
    hass.states.async_set(WINDOW, "off", {"reason": "devices_busy", "detail": "input_boolean.tv"})
    assert await render(hass, card) == "**Closed**: waiting: TV is on"
    hass.states.async_set(
        WINDOW, "off", {"reason": "devices_busy", "detail": "input_boolean.tv, media_player.den"}
    )
    assert await render(hass, card) == "**Closed**: waiting: TV, Den speaker are on"
    hass.states.async_set(WINDOW, "off", {"reason": "battery_reserve", "detail": "60 % < 97 %"})
    assert await render(hass, card) == (
        "**Closed**: waiting: the battery charges to its reserve first"
    )
