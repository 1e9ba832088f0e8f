"""Tournaments of pairwise judgements: Swiss pairing, Elo / Bradley-Terry ratings with bootstrap
intervals, separability (omega^2, Cliff's delta), position and length bias, judge meta-evaluation.

Modules: swiss, ratings, bootstrap, separability, bias, metaeval, reference (the score-derived
judge), tournament (the runner), summary (matches -> leaderboard and panels), sources (finding a
matches file), demo (generated writer outputs), cli (`python -m toolkit tournament`).
"""
