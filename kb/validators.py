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
