"""Readers for every input the build accepts, each returning rows or quarantine entries, never both."""
