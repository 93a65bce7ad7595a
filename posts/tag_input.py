"""The admin's Tags box: one tag per comma-separated entry (django-taggit's text format).

taggit's own format splits an entry without commas at its spaces (`machine learning` is
two tags) and cannot write a name holding a double quote back: saving a post unchanged
split `say "hi" there` into three tags. This one is CSV: entries are separated by commas,
spaces inside an entry belong to the name, and an entry holding a comma or a double quote
is written in double quotes with its quotes doubled, so every name reads back as itself.
Wired in through TAGGIT_TAGS_FROM_STRING and TAGGIT_STRING_FROM_TAGS (cms/settings.py).
"""

import csv
import json


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


# --- an editor's changes, applied to the tags the post has now ----------------------------


def loaded_tags(tags) -> str:
    """What the post form keeps of the tags it showed: `[[id, name], ...]` as JSON."""
    return json.dumps([[tag.pk, tag.name] for tag in tags], ensure_ascii=False)


def apply_edits(submitted: list[str], loaded: str, current) -> list[str] | None:
    """The post's tags after the editor's save: the tags it has now (`current`), plus the
    names the editor added to the Tags box, minus the tags they took out of it.

    Not the box's text as it stands: a tag renamed, deleted or merged in the Tags admin
    while the post was open came back on save, under its old name. None when `loaded`
    (the form's record of the tags it showed) is missing or unreadable.
    """
    try:
        shown = {_box_key(str(name)): int(pk) for pk, name in json.loads(loaded)}
    except (TypeError, ValueError):
        return None
    kept = {_box_key(name) for name in submitted}
    removed = {pk for name, pk in shown.items() if name not in kept}
    names = {tag.name.casefold(): tag.name for tag in current if tag.pk not in removed}
    for name in submitted:
        if _box_key(name) not in shown:
            names.setdefault(name.casefold(), name)
    return list(names.values())


def _box_key(name: str) -> str:
    """A name as the Tags box gives it back: browsers drop line breaks from a one-line
    input, so an imported `line\nbreak` comes back as `linebreak` (the same tag)."""
    return name.replace("\r", "").replace("\n", "").casefold()


def existing_spellings(names: list[str], tags) -> list[str]:
    """`names` with each one that an existing tag has, but for letter case, spelled as
    that tag is (`tags`: the Tag queryset or model to look in).

    taggit finds a tag case-insensitively with the database's `iexact`, which on SQLite
    folds ASCII only: `ärger` beside `Ärger` became a second tag (slug `ärger_1`). Compared
    here by case fold, as the importer does: `STRASSE` is `Straße`.
    """
    spelled = spellings_by_fold(tags, names)
    return [spelled.get(name.casefold(), name) for name in names]


def spellings_by_fold(rows, names) -> dict[str, str]:
    """{case fold: the name a row of `rows` (a queryset or manager of named rows) has} for
    those of `names` that one has, but perhaps for letter case. In Python: the databases'
    case-insensitive lookups fold ASCII only (also the taxonomy forms' check)."""
    wanted = {name.casefold() for name in names}
    spelled: dict[str, str] = {}
    for existing in rows.values_list("name", flat=True).iterator():
        folded = existing.casefold()
        if folded in wanted:
            spelled.setdefault(folded, existing)
    return spelled
