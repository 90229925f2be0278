"""Topic colours: validated ``#rrggbb`` values and a palette of distinct ones readable on white.

Pure functions, no database: the migration that colours existing topics and the model that
colours new ones use the same palette.
"""

from __future__ import annotations

import colorsys
import re
import zlib

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

HEX_COLOUR = re.compile(r"#[0-9a-f]{6}")
# WCAG AA for normal text: a colour used for a chip's text or a highlight's underline
# must stand out on the white page.
MIN_CONTRAST = 4.5
# Successive hues a golden angle apart stay far from all earlier ones, so the first
# dozens of topics get clearly different colours.
GOLDEN_ANGLE = 137.508


def validate_colour(value: str) -> None:
    """Refuse anything but ``#rrggbb`` (lower case, as ``normalise_colour`` writes it):
    the value goes into a stylesheet, so nothing else may pass."""
    if not HEX_COLOUR.fullmatch(value or ""):
        raise ValidationError(
            _("Enter a colour as # and six hexadecimal digits, for example #1f77b4."),
            code="colour",
        )


def normalise_colour(value: str) -> str:
    """``#ABC`` and ``#AABBCC`` as ``#aabbcc``; anything else unchanged (for the validator)."""
    value = (value or "").strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        return "#" + "".join(c * 2 for c in value[1:])
    return value


def _luminance(colour: str) -> float:
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_on_white(colour: str) -> float:
    """The WCAG contrast ratio of ``colour`` against white (1 to 21)."""
    return 1.05 / (_luminance(colour) + 0.05)


def palette_colour(index: int) -> str:
    """The ``index``-th colour of an endless palette: hues a golden angle apart, darkened
    until the colour reads on white."""
    hue = (index * GOLDEN_ANGLE) % 360 / 360
    lightness = 0.45
    while True:
        r, g, b = colorsys.hls_to_rgb(hue, lightness, 0.7)
        colour = "#{:02x}{:02x}{:02x}".format(*(round(c * 255) for c in (r, g, b)))
        if contrast_on_white(colour) >= MIN_CONTRAST:
            return colour
        lightness -= 0.02


def colour_for_name(name: str) -> str:
    """A palette colour derived from a topic's name: stable, needs no other topic."""
    return palette_colour(zlib.crc32(name.encode("utf-8")) % 360)
