"""Stage 1: raw files -> canonical parquet tables (readers, provider shapes, staging, quarantine, the
build pipeline) and the seeded demo generator."""
