"""A config project: provider overlays, the project file and environments, merged with provenance."""
