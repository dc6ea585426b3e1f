"""Human times for the sidebar and the CLI, from the store's ISO-8601 UTC timestamps."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_iso(stamp: str) -> datetime:
    parsed = datetime.fromisoformat(stamp)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def relative_time(stamp: str, now: datetime | None = None) -> str:
    """ "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", else the date."""
    then = parse_iso(stamp)
    now = now or datetime.now(UTC)
    seconds = (now - then).total_seconds()
    if seconds < 45:
        return "just now"
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min ago"
    if seconds < 86400:
        return f"{round(seconds / 3600)} h ago"
    days = int(seconds // 86400)
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    local = then.astimezone()
    if local.year == now.astimezone().year:
        return local.strftime("%b %d")
    return local.strftime("%Y-%m-%d")
