"""The unit an answer is given in, so that `3 mm` is not read as `3 cm`.

math-verify drops a trailing unit before it compares (`3 mm`, `3\\text{ cm}` and `3` all
read as 3), so an answer in the wrong unit scored as right. Here the last word of an
answer, plain or in `\\text{}`/`\\mathrm{}`, is looked up in a table of common units and
their spellings (`cm`, `centimeters`, `\\text{ cm}` are one unit). Only known units are
read, so a trailing variable (`2x`) is never taken for one. The policy is the issue's:
different units are wrong, unless the reference gives none; an answer without a unit is
left to the comparison.
"""

from __future__ import annotations

import re

_SPELLINGS: dict[str, tuple[str, ...]] = {
    "mm": ("mm", "millimeter", "millimeters", "millimetre", "millimetres"),
    "cm": ("cm", "centimeter", "centimeters", "centimetre", "centimetres"),
    "m": ("m", "meter", "meters", "metre", "metres"),
    "km": ("km", "kilometer", "kilometers", "kilometre", "kilometres"),
    "in": ("inch", "inches"),
    "ft": ("ft", "foot", "feet"),
    "yd": ("yd", "yard", "yards"),
    "mi": ("mile", "miles"),
    "mg": ("mg", "milligram", "milligrams"),
    "g": ("g", "gram", "grams"),
    "kg": ("kg", "kilogram", "kilograms"),
    "t": ("tonne", "tonnes", "ton", "tons"),
    "lb": ("lb", "lbs", "pound", "pounds"),
    "oz": ("oz", "ounce", "ounces"),
    "ms": ("ms", "millisecond", "milliseconds"),
    "s": ("s", "sec", "secs", "second", "seconds"),
    "min": ("min", "mins", "minute", "minutes"),
    "h": ("h", "hr", "hrs", "hour", "hours"),
    "day": ("day", "days"),
    "week": ("week", "weeks"),
    "year": ("yr", "yrs", "year", "years"),
    "ml": ("ml", "mL", "milliliter", "milliliters", "millilitre", "millilitres"),
    "l": ("L", "liter", "liters", "litre", "litres"),
    "deg": ("deg", "degree", "degrees", "^\\circ", "^{\\circ}", "\\circ", "°"),
    "rad": ("rad", "radian", "radians"),
    "dollar": ("dollar", "dollars", "\\$"),
    "cent": ("cent", "cents"),
    "percent": ("\\%", "%", "percent"),
}
_UNIT_OF = {spelling: unit for unit, spellings in _SPELLINGS.items() for spelling in spellings}
# A power of a length (cm^2, m^{3}) is a unit of its own.
_POWER = r"(?:\^\s*\{?\s*([23])\s*\}?)?"
_WORD = r"([A-Za-z]+|\^\s*\{?\\circ\}?|°|\\%|%)"
_TRAILING = re.compile(
    r"(?<![A-Za-z\\])"  # a whole word, not the tail of a command or a longer word
    r"(?:\\(?:text|mathrm|textrm|mbox|operatorname|rm)\s*\{(?:\s|~|\\[,;: ])*"
    + _WORD
    + r"\s*"
    + _POWER
    + r"\s*\}"
    + _POWER
    + r"|"
    + _WORD
    + _POWER
    + r")\s*\.?\s*$"
)
# Where the value ends: a digit, a closing brace or parenthesis, then spacing.
_AFTER_VALUE = re.compile(r"[\d})\]]\s*(?:\\[,;:! ]|~|\\quad|\s)*$")


def _trailing_unit(text: str) -> tuple[str, int] | None:
    """The unit `text` ends in (canonical name, with its power) and where it starts."""
    match = _TRAILING.search(text)
    if match is None or not _AFTER_VALUE.search(text[: match.start()]):
        return None
    word = match.group(1) or match.group(4)
    power = match.group(2) or match.group(3) or match.group(5) or ""
    unit = _UNIT_OF.get(word) or _UNIT_OF.get(word.replace(" ", ""))
    if unit is None and word.lower() in _UNIT_OF and word.lower() not in ("l", "m", "s", "h", "g", "t"):
        unit = _UNIT_OF[word.lower()]
    if unit is None:
        return None
    return (f"{unit}^{power}" if power else unit), match.start()


def unit_of(text: str) -> str | None:
    """The unit `text` ends in (canonical name, with its power), or None."""
    found = _trailing_unit(text.strip().strip("$").strip())
    return found[0] if found is not None else None


def without_unit(text: str) -> str:
    """`text` without the unit it ends in, for the parser, which reads `3 centimeters` as a
    product of letters. A percent sign stays: it changes the value (50% is 0.5)."""
    stripped = text.strip().strip("$").strip()
    found = _trailing_unit(stripped)
    if found is None or found[0] == "percent":
        return text
    return stripped[: found[1]].rstrip()


def unit_mismatch(answer: str, ground_truth: str) -> str | None:
    """Why the answer's unit contradicts the reference's, or None when it does not."""
    gold_unit = unit_of(ground_truth)
    if gold_unit is None:
        return None
    answer_unit = unit_of(answer)
    if answer_unit is None or answer_unit == gold_unit:
        return None
    return f"answer is in {answer_unit}, the reference in {gold_unit}"
