"""Reading YAML and JSON files with the file, line and column of every key and value."""
