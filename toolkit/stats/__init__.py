"""Pure formulas (numpy only): agreement statistics, the gap-aware EMA and month arithmetic, ranks."""
