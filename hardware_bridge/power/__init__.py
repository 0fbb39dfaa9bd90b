"""Power accounting: state of charge and energy counters that never go backwards."""
