"""The admin page that imports an uploaded .zip of a markdown folder.

It runs the same importer as `manage.py import_markdown` and shows the same report. The
archive is unpacked by posts.uploads (markdown files only, every path and size checked)
into a temporary folder that is removed afterwards.
"""

import tempfile
from pathlib import Path

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from posts.markdown_io import report as outcomes
from posts.markdown_io.importer import import_folder
from posts.markdown_io.run_lock import ImportRunning, refuse_to_wait
from posts.uploads import UnsafeArchive, ZipLimits, extract_markdown_zip

LIMITS = ZipLimits()
# Outcomes listed file by file under the counts.
PROBLEMS = {outcomes.FAILED, outcomes.CONFLICT, outcomes.SKIPPED}


class ZipImportForm(forms.Form):
    archive = forms.FileField(
        label="Folder as a .zip",
        help_text=(
            f"A zip of your posts folder (Jekyll, Hugo, ...), at most "
            f"{LIMITS.max_upload_bytes // (1024 * 1024)} MB. Only markdown files are read; "
            "a post's identity is its path inside the zip, so upload the same folder the "
            "same way to update it."
        ),
    )
    dry_run = forms.BooleanField(
        required=False, label="Dry run", help_text="Show what would happen; change nothing."
    )
    default_author = forms.CharField(
        required=False,
        max_length=200,
        help_text="Author of the posts whose front matter names none.",
    )
    overwrite = forms.BooleanField(
        required=False,
        help_text="When a post changed both in the file and here in the admin, take the file.",
    )

    def clean_archive(self):
        archive = self.cleaned_data["archive"]
        if not archive.name.lower().endswith(".zip"):
            raise forms.ValidationError(f"{archive.name}: upload a .zip file.")
        return archive


def folder_root(extracted: Path) -> Path:
    """A zip of `myblog/` holds `myblog/_posts/...`: import from inside that one folder."""
    # posts.uploads writes no __MACOSX folder, so only the folder's own entries are here.
    entries = list(extracted.iterdir())
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return extracted


def import_zip_view(model_admin, request: HttpRequest) -> HttpResponse:
    # An import can create and publish posts: only those allowed to do both may run it.
    user = request.user
    if not (user.has_perm("posts.add_post") and user.has_perm("posts.publish_post")):
        raise PermissionDenied
    report = ignored = None
    form = ZipImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with tempfile.TemporaryDirectory(prefix="cms-import-") as folder:
            try:
                extracted = extract_markdown_zip(
                    form.cleaned_data["archive"], Path(folder), limits=LIMITS
                )
            except UnsafeArchive as exc:
                form.add_error("archive", f"{form.cleaned_data['archive'].name}: {exc}")
            else:
                ignored = extracted.ignored
                try:
                    report = import_folder(
                        folder_root(Path(folder)),
                        dry_run=form.cleaned_data["dry_run"],
                        default_author=form.cleaned_data["default_author"] or None,
                        overwrite=form.cleaned_data["overwrite"],
                        # Waiting for a long import held the request past the server's
                        # timeout (a 500 after 30 s, one worker fewer meanwhile).
                        on_wait=refuse_to_wait,
                    )
                except ImportRunning:
                    form.add_error(
                        "archive",
                        "Another import of this database is running (a scheduled "
                        "import_markdown or another upload). Nothing was imported: upload "
                        "again when it has finished.",
                    )
                except ValueError as exc:  # e.g. a site config that cannot be read
                    message = str(exc).replace(folder, form.cleaned_data["archive"].name)
                    form.add_error("archive", message)
    context = {
        **model_admin.admin_site.each_context(request),
        "counts": [(label, report.counts.get(action, 0)) for action, label in report.SUMMARY]
        if report
        else [],
        "problems": [o for o in report.outcomes if o.action in PROBLEMS] if report else [],
        "opts": model_admin.model._meta,
        "title": "Import a markdown folder",
        "form": form,
        "report": report,
        "ignored": ignored,
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/posts/post/import_zip.html", context)
