"""Stage 0, shared by every stage: the canonical schema, the label mapping, the one Filters type."""
