"""Findings as data, the rule catalog, reporters, did-you-mean and redaction."""
