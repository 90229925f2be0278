"""Comparing an article's text with the PDF extraction it came from, modulo layout."""

import re

from kb.cleanup import clean_extracted_text, sentences

# Page furniture the articles may drop: the deck's footer and bare page numbers.
FOOTER = re.compile(r"^\d*\s*Copyright（C） Nomura Research Institute, Ltd\. All rights reserved\.$")
PAGE_NUMBER = re.compile(r"^\d{1,3}$")
# Markup that is layout, not text: heading marks, list markers, bullet glyphs, table pipes.
LINE_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+)?(?:(?:[-*+]|\d{1,2}[.)])\s+)?[●•・■□◆◇▪○◎▶]*")
TABLE_RULE = re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$")


def squeeze(text: str) -> str:
    """Text for comparison: markup at line starts, table pipes, autolink brackets and all
    whitespace removed (applied alike to sources and articles)."""
    lines = []
    for line in text.split("\n"):
        if TABLE_RULE.match(line):
            continue
        line = LINE_MARKUP.sub("", line)
        line = re.sub(r"<(https?://[^>\s]+)>", r"\1", line).replace("|", "").replace("•", "")
        lines.append(line)
    return re.sub(r"\s+", "", "\n".join(lines))



def squeeze_line_markup(line: str) -> str:
    # a bullet glyph is never text, even mid-line ("•生活関連チケット販売• O2O、スーパー")
    return LINE_MARKUP.sub("", line).replace("|", "").replace("•", "")


def missing_sentences(source: str, article_text: str) -> list[str]:
    """Sentences of the cleaned source that the article text does not contain."""
    text = squeeze(article_text)
    missing = []
    for line in clean_extracted_text(source).split("\n"):
        if FOOTER.match(line.strip()) or PAGE_NUMBER.match(line.strip()):
            continue
        for sentence in sentences(squeeze_line_markup(line)):
            wanted = re.sub(r"\s+", "", sentence)
            if wanted and wanted not in text:
                missing.append(sentence)
    return missing
