"""Extract-and-load: synthetic sources and the dlt pipeline that lands them in DuckDB."""
