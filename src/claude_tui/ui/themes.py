"""Theme files (parsed in core) as Textual themes, and the order ctrl+t cycles them in."""

from __future__ import annotations

from textual.theme import Theme

from claude_tui.core.themes import ThemeSpec


def textual_theme(spec: ThemeSpec) -> Theme:
    return Theme(
        name=spec.name,
        primary=spec.primary,
        secondary=spec.secondary,
        accent=spec.accent,
        warning=spec.warning,
        error=spec.error,
        success=spec.success,
        foreground=spec.foreground,
        background=spec.background,
        surface=spec.surface,
        panel=spec.panel,
        dark=spec.dark,
        variables=dict(spec.variables),
    )


def cycle_order(ours: list[str], available: list[str]) -> list[str]:
    """The app's own themes first (they are designed for it), then Textual's, each sorted."""
    own = sorted(name for name in ours if name in available)
    return own + sorted(name for name in available if name not in own)


def next_theme(current: str, order: list[str]) -> str:
    if current not in order:
        return order[0]
    return order[(order.index(current) + 1) % len(order)]
