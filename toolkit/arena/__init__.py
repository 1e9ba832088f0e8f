"""Tournaments of pairwise judgements: Swiss pairing, Elo / Bradley-Terry ratings with bootstrap
intervals, separability (omega^2, Cliff's delta), position and length bias, judge meta-evaluation.

Modules: swiss, ratings, bootstrap, separability, bias, metaeval, reference (the score-derived
judge), tournament (the runner), summary (matches -> leaderboard and panels), matches_source
(finding and reading a matches file), demo (generated writer outputs). The command line is
toolkit/cli/tournament.py (`python -m toolkit tournament`).
"""
