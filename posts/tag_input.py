"""The admin's Tags box: one tag per comma-separated entry (django-taggit's text format).

taggit's own format splits an entry without commas at its spaces (`machine learning` is
two tags) and cannot write a name holding a double quote back: saving a post unchanged
split `say "hi" there` into three tags. This one is CSV: entries are separated by commas,
spaces inside an entry belong to the name, and an entry holding a comma or a double quote
is written in double quotes with its quotes doubled, so every name reads back as itself.
Wired in through TAGGIT_TAGS_FROM_STRING and TAGGIT_STRING_FROM_TAGS (cms/settings.py).
"""

import csv


def parse_tags(text: str) -> list[str]:
    """`a, machine learning, "x, y"` -> ["a", "machine learning", "x, y"] (blanks and
    repeats dropped, first spelling kept)."""
    line = " ".join(text.splitlines())
    entries = next(csv.reader([line], skipinitialspace=True), [])
    names: dict[str, str] = {}
    for entry in entries:
        name = entry.strip()
        if name:
            names.setdefault(name.casefold(), name)
    return list(names.values())


def tags_to_string(tags) -> str:
    """The Tags box's text for these tags, by name; `parse_tags` reads it back exactly."""
    return ", ".join(_entry(tag.name) for tag in sorted(tags, key=lambda tag: tag.name))


def _entry(name: str) -> str:
    if "," in name or '"' in name or name != name.strip():
        return '"' + name.replace('"', '""') + '"'
    return name
