"""The models of the final config and of source files, the published schemas, and validation."""
