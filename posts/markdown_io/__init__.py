"""Markdown folders in and out: parse one file, import a folder, export it back.

- `parsing`: one file's bytes -> a plain `PostData` (no database).
- `fields`: the Jekyll/Hugo front matter rules.
- `importer.import_folder`: a folder -> posts, authors, categories, tags.
- `exporter.export_folder`: posts -> a folder, byte-identical where nothing changed.
"""
