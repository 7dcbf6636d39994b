"""What users hand over besides RDF: spreadsheets, turned into RDF through declarative mappings
(CSVW metadata), and zip archives of several files."""

from __future__ import annotations

from .archive import is_archive, read_archive
from .csv_tables import (
    TabularDataset,
    is_tabular,
    read_csv_bytes,
    table_names,
    templates_dir,
)

__all__ = [
    "TabularDataset",
    "is_archive",
    "is_tabular",
    "read_archive",
    "read_csv_bytes",
    "table_names",
    "templates_dir",
]
