"""Stage 3: questions asked of the store (scores, lab index, migration, agreement, drill-down pages).
SQL and shaping only; the formulas live in `toolkit.stats`."""
