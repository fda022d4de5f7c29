"""The command line: the error boundary (main) and one module per sub-command."""
