"""Workbooks: the plan as an .xlsx workbook, CSV files or a Word table, and back, located at cells."""
