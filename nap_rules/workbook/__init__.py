"""Workbooks: the plan as an .xlsx workbook (or CSV files, or a Word table) and back.

layout.py derives the sheets and columns from the JSON schemas; cells.py converts one value to
one cell and back; records.py and tables.py lay records out in rows; export.py writes
workbooks and CSV files; sources.py reads them (refusing unsafe containers); importer.py turns
the sheets back into plan documents located at their cells.
"""
