"""Support package of the modules recipe (not a case)."""
