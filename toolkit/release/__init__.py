"""Stage 4: what leaves the project: classifier splits, dataset cards, Hub publishing, the Space bundle."""
