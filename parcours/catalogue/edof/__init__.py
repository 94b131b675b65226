"""EDOF catalogue files (EDO-4, EDO-5, OFF-18): read, import, export (EDOF XML and LHÉO 2.3).

- `reader.py`: safe parsing (no DTD, no entity), XSD v5r2 validation, one record per `formation`;
- `importer.py`: `import_catalogue()`, all or nothing, every write through `catalogue.services`;
- `writer.py`: `export_edof()` (valid against the same XSD) and `export_lheo()` (LHÉO 2.3).
"""
