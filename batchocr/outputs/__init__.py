"""What a run leaves for people: normalized fields, exports, the report, metrics and the summary."""
