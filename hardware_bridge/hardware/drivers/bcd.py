"""Binary-coded decimal, as the Witty Pi's RTC and alarm registers keep numbers."""

from __future__ import annotations


def to_bcd(value: int) -> int:
    """0..99 as two decimal digits in one byte: 59 -> 0x59."""
    if not 0 <= value <= 99:
        raise ValueError(f"{value} does not fit in two BCD digits")
    return (value // 10) << 4 | value % 10


def from_bcd(byte: int) -> int:
    """0x59 -> 59. Nibbles above 9 are invalid BCD."""
    high, low = byte >> 4, byte & 0x0F
    if high > 9 or low > 9:
        raise ValueError(f"0x{byte:02x} is not BCD")
    return high * 10 + low
