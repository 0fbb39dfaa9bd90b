"""The number and entity fields the config and options flows build their forms from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)

from .settings import Knob


class BoundedNumber(NumberSelector):
    """A number field whose bounds the form shows and the step checks.

    Home Assistant's own selector refuses an out-of-range value before the step runs, with an
    untranslated message and the form's input lost; here the step finds it (``out_of_range``)
    and answers with the form as typed and a translated error beside the field.
    """

    def __call__(self, data: Any) -> float:
        value: float = vol.Coerce(float)(data)
        return value

    def out_of_range(self, value: float) -> bool:
        low, high = self.config.get("min", float("-inf")), self.config.get("max", float("inf"))
        step = self.config.get("step")
        return not low <= value <= high or (step == 1 and value != int(value))


def range_errors(
    user_input: Mapping[str, Any], selectors: Mapping[str, BoundedNumber]
) -> dict[str, str]:
    """An error beside each number field whose value lies outside its bounds."""
    return {
        key: "out_of_range"
        for key, selector in selectors.items()
        if key in user_input and selector.out_of_range(user_input[key])
    }


def bounded(schema: vol.Schema) -> dict[str, BoundedNumber]:
    """A form's number fields by key."""
    return {
        str(marker): selector
        for marker, selector in schema.schema.items()
        if isinstance(selector, BoundedNumber)
    }


def numbers(knobs: Mapping[str, Knob]) -> dict[vol.Marker, Any]:
    return {
        vol.Required(key, default=knob.default): BoundedNumber(
            NumberSelectorConfig(
                min=knob.minimum,
                max=knob.maximum,
                step=knob.step,
                unit_of_measurement=knob.unit,
                mode=NumberSelectorMode.BOX,
            )
        )
        for key, knob in knobs.items()
    }


def entity_selector(device_class: str | None = None, *, multiple: bool = False) -> EntitySelector:
    """Any entity, or a sensor of ``device_class``."""
    if device_class is None:
        return EntitySelector(EntitySelectorConfig(multiple=multiple))
    return EntitySelector(
        EntitySelectorConfig(domain="sensor", device_class=device_class, multiple=multiple)
    )
