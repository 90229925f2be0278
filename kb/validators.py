"""Field validators: bad input is refused with a message an editor can act on."""

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from kb.text import MAX_MARKDOWN_CHARS, markdown_problem

MESSAGES = {
    "nul": _("The text contains a NUL character."),
    "length": _("The text is too long: at most %(limit)s characters."),
    "paragraph": _(
        "A paragraph has too many “[” or “<” characters for its length; "
        "split it into shorter paragraphs."
    ),
    "references": _(
        "A link definition is so long and referred to so often that the page would be too "
        "large; shorten the definition or refer to it less often."
    ),
}


def validate_markdown(value: str) -> None:
    """Refuse Markdown that cannot be stored: NUL characters, or a size or shape that
    would make rendering take seconds (see kb.text.markdown_problem)."""
    problem = markdown_problem(value)
    if problem:
        raise ValidationError(
            MESSAGES[problem], code=f"markdown_{problem}", params={"limit": MAX_MARKDOWN_CHARS}
        )


validate_no_nul = ProhibitNullCharactersValidator(message=MESSAGES["nul"], code="nul")


# Characters that reorder the text around them when shown (Unicode bidi controls: ALM, LRM,
# RLM, LRE…RLO, LRI…PDI). A URL holding one can read as another ("report\u202efdp.exe"
# shows as "reportexe.pdf"); no real address needs one unencoded.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                           "\u2066\u2067\u2068\u2069")


def validate_no_bidi_controls(value: str) -> None:
    if any(ch in _BIDI_CONTROLS for ch in value):
        raise ValidationError(
            _("The address contains bidirectional control characters (such as U+202E), "
              "which make it read as something else."),
            code="bidi_control",
        )
