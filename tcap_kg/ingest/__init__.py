"""Turning spreadsheets into RDF through declarative mappings (CSVW metadata)."""

from __future__ import annotations

from .csv_tables import (
    TabularDataset,
    is_tabular,
    read_csv_bytes,
    read_tables,
    table_names,
    templates_dir,
)

__all__ = [
    "TabularDataset",
    "is_tabular",
    "read_csv_bytes",
    "read_tables",
    "table_names",
    "templates_dir",
]
