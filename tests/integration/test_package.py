"""What HACS and Home Assistant read from the package: manifest, strings, quality scale, brand."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from PIL import Image

from custom_components.positive_energy_worker import device_action, device_condition, options_flow
from custom_components.positive_energy_worker.binary_sensor import (
    BINARY_SENSORS,
    GAS_LOW,
    WINDOW_BINARY_SENSORS,
)
from custom_components.positive_energy_worker.chain_data import Network
from custom_components.positive_energy_worker.chain_flow import CHAIN_SCHEMA
from custom_components.positive_energy_worker.const import OPTIONAL_ENTITIES, ZEROCONF_TYPE
from custom_components.positive_energy_worker.device_trigger import TRIGGER_TYPES
from custom_components.positive_energy_worker.number import NUMBERS
from custom_components.positive_energy_worker.policy import Reason
from custom_components.positive_energy_worker.sensor import (
    CHAIN_SENSORS,
    SENSORS,
    WINDOW_SENSORS,
)
from custom_components.positive_energy_worker.settings import Source
from custom_components.positive_energy_worker.switch import SWITCHES, WINDOW_SWITCHES
from hardware_bridge.api.discovery import SERVICE_TYPE

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "custom_components" / "positive_energy_worker"


def load(name: str):
    return json.loads((PACKAGE / name).read_text())


def test_the_manifest_has_what_hacs_and_home_assistant_need():
    manifest = load("manifest.json")
    assert manifest["domain"] == "positive_energy_worker"
    assert manifest["config_flow"] is True
    assert manifest["iot_class"] == "local_push"
    assert manifest["integration_type"] == "device"
    assert manifest["zeroconf"] == [ZEROCONF_TYPE] == [SERVICE_TYPE]  # what the bridge announces
    assert manifest["version"] == "0.1.0"
    assert manifest["codeowners"]
    assert manifest["documentation"].startswith("https://")
    assert manifest["issue_tracker"].startswith("https://")
    # web3 for the chain: a range, as the one in pyproject.toml, that constraints.txt pins in.
    assert manifest["requirements"] == ["web3>=8.0,<9"]
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"web3>=8.0,<9"' in pyproject
    assert "web3==8.0.0" in (ROOT / "constraints.txt").read_text().splitlines()
    hacs = json.loads((ROOT / "hacs.json").read_text())
    assert hacs["homeassistant"] == "2025.4.0"


def test_translations_are_complete_and_literal():
    strings = load("strings.json")
    # Custom integrations read translations/en.json as is: references would show raw.
    assert load("translations/en.json") == strings
    assert "[%key:" not in json.dumps(strings)
    names = strings["entity"]
    for description in (*SENSORS, *WINDOW_SENSORS, *CHAIN_SENSORS):
        assert description.translation_key in names["sensor"], description.key
        if description.options:
            assert set(description.options) <= set(
                names["sensor"][description.translation_key]["state"]
            )
    for platform, descriptions in (
        ("binary_sensor", (*BINARY_SENSORS, *WINDOW_BINARY_SENSORS, GAS_LOW)),
        ("number", NUMBERS),
        ("switch", (*SWITCHES, *WINDOW_SWITCHES)),
    ):
        for description in descriptions:
            assert description.translation_key in names[platform], description.key
    services = yaml.safe_load((PACKAGE / "services.yaml").read_text())
    for service, spec in services.items():
        assert set(spec["fields"]) <= set(strings["services"][service]["fields"]), service
    icons = load("icons.json")
    assert set(icons["services"]) == set(services)
    for platform, keys in icons["entity"].items():
        assert set(keys) <= set(names[platform]), platform


def test_the_window_speaks_every_reason_and_every_automation_is_named():
    strings = load("strings.json")
    window = strings["entity"]["binary_sensor"]["compute_window"]["state_attributes"]
    assert set(window["reason"]["state"]) == {reason.value for reason in Reason}
    automations = strings["device_automation"]
    assert set(automations["trigger_type"]) == set(TRIGGER_TYPES)
    assert set(automations["condition_type"]) == device_condition.CONDITION_TYPES
    assert set(automations["action_type"]) == set(device_action.ACTIONS)
    assert set(strings["selector"]["surplus_source"]["options"]) == {s.value for s in Source}
    assert set(strings["selector"]["network"]["options"]) == {n.value for n in Network}


def test_every_option_of_every_step_is_named_and_described():
    steps = load("strings.json")["options"]["step"]
    assert set(steps["init"]["menu_options"]) == {*options_flow.STEPS, "chain"}
    for step, schema in {**options_flow.STEPS, "chain": CHAIN_SCHEMA}.items():
        fields = {str(marker) for marker in schema.schema}
        assert set(steps[step]["data"]) == fields, step
        assert set(steps[step]["data_description"]) == fields, step


def test_the_quality_scale_is_done_or_exempt_with_a_reason():
    rules = yaml.safe_load((PACKAGE / "quality_scale.yaml").read_text())["rules"]
    assert len(rules) >= 50
    for name, status in rules.items():
        if isinstance(status, dict):
            assert status["status"] == "exempt", name
            assert len(status["comment"].strip()) > 20, name
        else:
            assert status == "done", name


def test_the_brand_images_are_there_in_their_sizes():
    """Home Assistant shows a custom integration's own brand/ images (2026.3 on): all eight."""
    for name in ("icon", "dark_icon", "logo", "dark_logo"):
        for scale, suffix in ((1, ""), (2, "@2x")):
            with Image.open(PACKAGE / "brand" / f"{name}{suffix}.png") as image:
                assert image.mode == "RGBA", name  # a transparent background
                width, height = image.size
            if name.endswith("icon"):
                assert (width, height) == (256 * scale, 256 * scale), name
            else:
                assert height == 128 * scale < width, name  # landscape


def test_the_optional_entities_are_the_descriptions_that_ship_disabled():
    disabled = {
        f"{d.part}_{d.key}"
        for d in (
            *SENSORS,
            *BINARY_SENSORS,
            *NUMBERS,
            *SWITCHES,
            *WINDOW_SENSORS,
            *WINDOW_SWITCHES,
            *WINDOW_BINARY_SENSORS,
        )
        if d.entity_registry_enabled_default is False
    }
    assert disabled == set(OPTIONAL_ENTITIES)


@pytest.mark.parametrize("flow", ["config_flow.py", "options_flow.py"])
def test_the_flows_import_no_platform(flow: str):
    tree = ast.parse((PACKAGE / flow).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    platforms = {"binary_sensor", "sensor", "switch", "number", "services"}
    assert not {module for module in imported if module in platforms}, imported


def test_every_action_field_has_an_example():
    """What "Fill example data" in the action editor fills in."""
    services = yaml.safe_load((PACKAGE / "services.yaml").read_text())
    missing = [
        f"{service}.{name}"
        for service, spec in services.items()
        for name, field in spec["fields"].items()
        if "example" not in field
    ]
    assert missing == []


def test_no_module_uses_what_home_assistant_deprecates():
    """Deprecated constants and imports are reported as a module loads: so, in a new interpreter."""
    modules = [f"custom_components.{PACKAGE.name}.{path.stem}" for path in PACKAGE.glob("*.py")]
    code = (
        "import importlib, logging, sys\n"
        "from warnings import filterwarnings\n"
        "logging.basicConfig(level=logging.WARNING)\n"
        "filterwarnings('error', category=DeprecationWarning, module='custom_components')\n"
        "for module in sys.argv[1:]:\n"
        "    importlib.import_module(module)\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code, *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert "deprecated" not in loaded.stderr.lower(), loaded.stderr
