"""Command-line feedback for long imports and exports: a bar on a terminal, lines elsewhere."""

from __future__ import annotations

from django.core.management.base import CommandError

from posts.markdown_io.report import FileOutcome


class ProgressPrinter:
    """The `progress` callback of the commands.

    On a terminal: a tqdm bar (written to the command's stdout). Elsewhere (CI, logs, cron):
    no bar; a quiet line every 5,000 files at verbosity 1. At verbosity 2 each file gets its
    line as it is done, whatever the output.
    """

    EVERY = 5000

    def __init__(self, out, *, verbosity: int = 1, tty: bool = False):
        self.out = out
        self.verbosity = verbosity
        self.listed = verbosity >= 2
        self.bar = None
        self.tty = tty and verbosity >= 1

    def __call__(self, outcome: FileOutcome, done: int, total: int) -> None:
        if self.listed:
            self._write(outcome.render())
        if self.tty:
            if self.bar is None:
                from tqdm import tqdm

                # The raw stream: Django's OutputWrapper would end each refresh with a newline.
                stream = getattr(self.out, "_out", self.out)
                self.bar = tqdm(total=total, unit="file", file=stream, leave=False)
            self.bar.update(1)
        elif self.verbosity >= 1 and not self.listed and done % self.EVERY == 0:
            self.out.write(f"{done:,} of {total:,} files")

    def _write(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=getattr(self.out, "_out", self.out))
        else:
            self.out.write(line)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def write_report(command, report, *, printer: ProgressPrinter, verbosity: int, noun: str) -> None:
    """Print `report` through a management command; exit status 1 when anything failed.

    The summary line is styled (green, or red when something failed); per-file lines
    already shown by `printer` are not repeated.
    """
    if verbosity >= 1 or not report.ok:
        lines = report.render(verbosity=verbosity, files_listed=printer.listed).splitlines()
        for line in lines[:-1]:
            command.stdout.write(line)
        style = command.style.SUCCESS if report.ok else command.style.ERROR
        command.stdout.write(style(report.summary()))
    if not report.ok:
        failed = len(report.errors)
        raise CommandError(f"{failed} {noun}{'s' if failed != 1 else ''} failed", returncode=1)
