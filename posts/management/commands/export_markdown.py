"""`manage.py export_markdown FOLDER`: a thin wrapper around `export_folder`."""

from django.core.management.base import BaseCommand, CommandError

from posts.markdown_io.exporter import export_folder
from posts.markdown_io.progress import ProgressPrinter, write_report


class Command(BaseCommand):
    help = (
        "Write posts to a folder of markdown files: unedited posts byte for byte as imported, "
        "edited ones with only their changed front matter keys rewritten."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="The folder to write to (created if missing).")
        parser.add_argument(
            "--status",
            choices=["published", "draft", "all"],
            default="all",
            help="Which posts to export (default: all). Scheduled posts count as published.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite files that changed on disk since the last import or export.",
        )

    def handle(self, *args, folder, verbosity, **options):
        printer = ProgressPrinter(self.stdout, verbosity=verbosity, tty=self.stdout.isatty())
        try:
            report = export_folder(
                folder, status=options["status"], force=options["force"], progress=printer
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            printer.close()
        write_report(self, report, printer=printer, verbosity=verbosity, noun="post")
