"""The gap-aware monthly EMA behind the lab index, and the calendar-month arithmetic it needs.

SpeechMap's rule: alpha = 1 - 0.5^(1/h) for a half-life of h months; a month that follows the
previous non-empty month after d months gets the weight alpha_d = 1 - (1 - alpha)^d.
"""
from __future__ import annotations

import calendar
import datetime as dt
from typing import Sequence

HALF_LIFE_MONTHS = 3


def ema_alpha(half_life_months: float = HALF_LIFE_MONTHS) -> float:
    """Per-month EMA weight whose memory halves every `half_life_months`: alpha = 1 - 0.5^(1/h)."""
    if half_life_months <= 0:
        raise ValueError(f"half-life must be positive, not {half_life_months}")
    return 1.0 - 0.5 ** (1.0 / half_life_months)


def gap_alpha(alpha: float, gap_months: int) -> float:
    """Weight of a month that follows the previous one after d months: alpha_d = 1 - (1 - alpha)^d.

    d is at least 1 (months are distinct), so a gap of several months gives the new month more
    weight, as if the missing months had repeated it.
    """
    return 1.0 - (1.0 - alpha) ** max(int(gap_months), 1)


def ema_step(ema: float, value: float, alpha_d: float) -> float:
    """One EMA update: ema' = ema x (1 - alpha_d) + value x alpha_d."""
    return ema * (1.0 - alpha_d) + value * alpha_d


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Calendar months from earlier's month to later's month: 12 x (y2 - y1) + (m2 - m1)."""
    return (later.year - earlier.year) * 12 + (later.month - earlier.month)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier, clamped to the month's last day (Aug 31 - 6 = Feb 28/29)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def gap_aware_ema(monthly_means: Sequence[tuple[dt.date, float]], alpha: float) -> list[float]:
    """The EMA after each month of (month, mean) pairs in month order, seeded by the first mean.

    ema_1 = mean_1; ema_k = ema_{k-1} (1 - alpha_d) + mean_k alpha_d with d = months since the
    previous month present (see `gap_alpha`).
    """
    series: list[float] = []
    previous: dt.date | None = None
    for month, mean in monthly_means:
        if previous is None:
            ema = float(mean)
        else:
            ema = ema_step(ema, float(mean), gap_alpha(alpha, months_between(previous, month)))
        series.append(ema)
        previous = month
    return series
