"""Stage 2: the parquet tables on disk, the DuckDB store over them, and where the app's data comes from."""
