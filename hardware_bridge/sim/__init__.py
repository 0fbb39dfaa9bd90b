"""The physical simulation behind the emulated chips: sun, weather, panel, battery, load, clock."""
