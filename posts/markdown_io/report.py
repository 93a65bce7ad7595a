"""What an import or export did: counts, one outcome per file, errors, rendered as text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import ClassVar

# Import outcomes, in the order the summary lists them.
CREATED = "created"
UPDATED = "updated"
MOVED = "moved"
UNCHANGED = "unchanged"
DUPLICATE = "duplicate"
CONFLICT = "conflict"
SKIPPED = "skipped"
FAILED = "failed"
# Export outcomes.
WRITTEN = "written"


@dataclass
class FileOutcome:
    path: str
    action: str
    detail: str = ""
    line: int | None = None
    post_id: int | None = None

    def render(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{self.action:<9} {where}" + (f"  ({self.detail})" if self.detail else "")


@dataclass
class SlugClash:
    path: str
    slug: str
    wanted: str
    taken_by: str

    def render(self) -> str:
        return (
            f"{self.path}: slug {self.wanted!r} is taken by {self.taken_by}, "
            f"this post got {self.slug!r}"
        )


@dataclass
class _Report:
    root: str
    dry_run: bool = False
    outcomes: list[FileOutcome] = field(default_factory=list)
    elapsed: float = 0.0

    SUMMARY: ClassVar[tuple[tuple[str, str], ...]] = ()

    @property
    def counts(self) -> Counter:
        return Counter(outcome.action for outcome in self.outcomes)

    @property
    def errors(self) -> list[FileOutcome]:
        """Failures (path, line, reason), the ones that make the exit status 1."""
        return [o for o in self.outcomes if o.action == FAILED]

    @property
    def conflicts(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.action == CONFLICT]

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, outcome: FileOutcome) -> FileOutcome:
        self.outcomes.append(outcome)
        return outcome

    def file_lines(self, verbosity: int) -> list[str]:
        """Every file at verbosity 2; otherwise the failures and conflicts."""
        if verbosity >= 2:
            return [outcome.render() for outcome in self.outcomes]
        return [o.render() for o in self.outcomes if o.action in (FAILED, CONFLICT)]

    def summary(self) -> str:
        counts = self.counts
        parts = [f"{counts.get(action, 0)} {label}" for action, label in self.SUMMARY]
        prefix = "Dry run, nothing written: " if self.dry_run else ""
        return f"{prefix}{len(self.outcomes)} files in {self.elapsed:.1f}s: " + ", ".join(parts)


@dataclass
class ImportReport(_Report):
    """The result of `import_folder`.

    `counts` holds created / updated / moved / unchanged / duplicate / conflict / skipped /
    failed; `errors` the failed files with line and reason; `missing` the sources of posts
    whose file is gone (deleted when `pruned`); `slug_clashes` the posts that got a suffix.
    """

    missing: list[str] = field(default_factory=list)
    pruned: int = 0
    slug_clashes: list[SlugClash] = field(default_factory=list)

    SUMMARY = (
        (CREATED, "created"),
        (UPDATED, "updated"),
        (MOVED, "moved"),
        (UNCHANGED, "unchanged"),
        (DUPLICATE, "duplicates"),
        (CONFLICT, "conflicts"),
        (SKIPPED, "skipped"),
        (FAILED, "failed"),
    )

    def render(self, *, verbosity: int = 1, files_listed: bool = False) -> str:
        """The report as text: per-file lines at verbosity 2, then problems, then counts.

        `files_listed`: the per-file lines were already shown (as they happened).
        """
        lines = [] if files_listed else self.file_lines(verbosity)
        lines += _capped(
            f"{len(self.slug_clashes)} slug clashes (each post got a distinct slug):",
            [clash.render() for clash in self.slug_clashes],
            verbosity,
        )
        verb = "deleted (--prune)" if self.pruned else "kept (--prune deletes them)"
        lines += _capped(
            f"{len(self.missing)} posts whose file is gone, {verb}:", self.missing, verbosity
        )
        lines.append(self.summary())
        return "\n".join(lines)


@dataclass
class ExportReport(_Report):
    """The result of `export_folder`: written / unchanged / conflict / failed per post."""

    SUMMARY = (
        (WRITTEN, "written"),
        (UNCHANGED, "unchanged"),
        (CONFLICT, "conflicts"),
        (FAILED, "failed"),
    )

    def render(self, *, verbosity: int = 1, files_listed: bool = False) -> str:
        lines = [] if files_listed else self.file_lines(verbosity)
        lines.append(self.summary())
        return "\n".join(lines)


def _capped(title: str, items: list[str], verbosity: int, cap: int = 20) -> list[str]:
    """A titled list, cut at `cap` lines below verbosity 2."""
    if not items:
        return []
    shown = items if verbosity >= 2 else items[:cap]
    lines = [title] + ["  " + item for item in shown]
    if len(items) > len(shown):
        lines.append(f"  ... and {len(items) - len(shown)} more (-v 2 lists them all)")
    return lines
