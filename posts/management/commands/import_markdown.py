"""`manage.py import_markdown FOLDER`: a thin wrapper around `import_folder`."""

from django.core.management.base import BaseCommand, CommandError

from posts.markdown_io.importer import import_folder
from posts.markdown_io.parsing import DEFAULT_MAX_BYTES
from posts.markdown_io.progress import ProgressPrinter, write_report


class Command(BaseCommand):
    help = (
        "Import a folder of markdown posts (Jekyll, Hugo, ...). Safe to re-run: unchanged "
        "files are skipped, changed ones update their post, edits made in the admin are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="The folder to import (searched recursively).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Do everything but write; report the counts."
        )
        parser.add_argument(
            "--timezone",
            help="Time zone of dates written without one (default: the site's TIME_ZONE).",
        )
        parser.add_argument(
            "--default-author", help="Author of posts whose front matter names none."
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="When a post changed both on disk and in the admin, take the file.",
        )
        parser.add_argument(
            "--reread",
            action="store_true",
            help=(
                "Read unchanged files again too, so that a changed --timezone, "
                "--default-author or site setting reaches their posts."
            ),
        )
        parser.add_argument(
            "--prune", action="store_true", help="Delete posts whose file is no longer there."
        )
        parser.add_argument(
            "--keep-duplicates",
            action="store_true",
            help="Import files with the same title, date and authors as separate posts.",
        )
        parser.add_argument(
            "--extensions",
            default=".md,.markdown,.mdown,.mkd,.mkdn",
            help="Comma-separated file extensions to import (default: %(default)s).",
        )
        parser.add_argument(
            "--max-size",
            type=int,
            default=DEFAULT_MAX_BYTES,
            help="Largest file to import, in bytes (default: %(default)s).",
        )

    def handle(self, *args, folder, verbosity, **options):
        printer = ProgressPrinter(self.stdout, verbosity=verbosity, tty=self.stdout.isatty())
        try:
            report = import_folder(
                folder,
                dry_run=options["dry_run"],
                timezone=options["timezone"],
                default_author=options["default_author"],
                overwrite=options["overwrite"],
                reread=options["reread"],
                prune=options["prune"],
                keep_duplicates=options["keep_duplicates"],
                extensions=[e.strip() for e in options["extensions"].split(",") if e.strip()],
                max_bytes=options["max_size"],
                progress=printer,
                on_wait=lambda: self.stderr.write(
                    "Another import of this database is running: waiting for it to finish."
                ),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            printer.close()
        write_report(self, report, printer=printer, verbosity=verbosity, noun="file")
