"""``config.toml``: where it is, what it holds, and reading and writing it without losing anything.

A config file is edited by hand, so a mistake in it must never stop the app: every bad key is
reported (file, key, what is expected) and falls back to its default while the rest still apply,
and a file that cannot be parsed at all leaves the app on defaults and is never written over. The
rules for each key live in ``config_schema``; the defaults and their explanations live here, on
``Settings``, and the first-run file is generated from them so the two cannot drift apart.
"""

from __future__ import annotations

import difflib
import functools
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from claude_tui.core import defaults, paths
from claude_tui.core.attachments.limits import IMAGE_USEFUL_EDGE
from claude_tui.core.config_schema import (
    CACHE_READ_RATIO,
    CACHE_WRITE_RATIO,
    PRICE_EXPECTED,
    RULES,
    ConfigError,
    Invalid,
    attribute_docs,
    error_line,
    error_reason,
    read_for_update,
    show,
    split_prices,
    write_atomic,
)
from claude_tui.core.pricing import Price

__all__ = [
    "ConfigError",
    "ConfigProblem",
    "Settings",
    "config_path",
    "ensure_config",
    "load_config",
    "price_overrides",
    "save_settings",
]

CONFIG_ENV = "CLAUDE_TUI_CONFIG"
DEFAULT_THEME = "claude-dark"


@dataclass(frozen=True)
class Settings:
    """Every setting, with its default; a field's docstring is its comment in the first-run file.

    Built only through ``load_config`` or ``with_overrides`` in the app, so values are valid.
    """

    model: str = defaults.DEFAULT_MODEL
    """The model to chat with, e.g. "claude-opus-4-5". `--model` overrides it for one run."""

    max_tokens: int = defaults.DEFAULT_MAX_TOKENS
    """The longest reply, in tokens, before the model is stopped (1 or more)."""

    system_prompt: str = defaults.DEFAULT_SYSTEM_PROMPT
    """Instructions sent with every conversation; "" sends none."""

    theme: str = DEFAULT_THEME
    """Colour theme: a shipped theme, one of Textual's, or a file in the themes folder beside this
    file. `claude-tui themes` lists them; `--theme` overrides it for one run."""

    refresh_rate: int = defaults.DEFAULT_REFRESH_RATE
    """1–120 redraws a second while a reply streams; lower saves CPU. Text is batched, never
    dropped: every redraw of a reply (its text, the spinner, the metrics) follows this rate."""

    max_retries: int = defaults.DEFAULT_MAX_RETRIES
    """Retries of a request that failed before any text arrived (rate limits, overload, server
    errors, no connection), 0 to 10."""

    stream_idle_timeout: float = defaults.DEFAULT_IDLE_TIMEOUT
    """Seconds without any event mid-stream before the reply fails as stalled."""

    request_timeout: float = defaults.DEFAULT_REQUEST_TIMEOUT
    """Seconds to wait for the server to start answering one attempt."""

    show_sidebar: bool = True
    """Show the sessions sidebar at start (Ctrl+B toggles it)."""

    show_metrics: bool = True
    """Show the metrics line: time to first token, tokens per second, tokens, cost."""

    max_width: int = 100
    """The widest a reply's text runs, in columns, on a wide terminal; 0 for the full width.
    The theme says whether the column is centred or on the left (reply_align)."""

    cursor: str = defaults.STREAMING_CURSOR
    """The character shown at the end of a reply while it streams."""

    thinking: bool = False
    """Ask the model to think before it answers (extended thinking)."""

    thinking_budget: int = 4096
    """Tokens the model may spend thinking, 1024 or more, for a model that takes only a budget
    ("enabled" thinking); newer models decide for themselves ("adaptive") and ignore it."""

    effort: str = ""
    """How hard the model works on a reply: low, medium, high, xhigh or max, sent only to a
    model that lists the level; "" leaves it to the model."""

    prompt_cache: str = "5m"
    """Prompt caching: "5m" or "1h" keeps the conversation so far cached between turns, so its
    input costs a tenth on the next; writing the cache costs 1.25x (5m) or 2x (1h); "off"."""

    auto_compact: bool = True
    """Where the model supports server-side compaction, let the API summarise the earlier
    conversation once a request fills 80% of the context window (the store keeps every turn)."""

    image_max_edge: int = IMAGE_USEFUL_EDGE
    """An attached image whose long edge is longer is scaled down to it before sending (the
    original stays on disk): 1568 px is what the API works at, so more only costs tokens. 0
    sends images as they are (up to the API's 8000 px)."""

    web_search: bool = False
    """Let the model search the web (the web_search server tool) where the model supports it.
    Off by default: each search costs money (web_search_price) on top of the tokens its results
    add to the reply. The default for sessions: ``/web on|off`` sets it for one session."""

    web_fetch: bool = False
    """Let the model fetch a web page or PDF by its address (the web_fetch server tool) where the
    model supports it. Off by default: a fetched page's text is input tokens, and pays as such.
    The default for sessions: ``/web fetch on|off`` sets it for one session."""

    web_max_uses: int = 5
    """The most searches, and separately the most fetches, the model may make in one reply
    (max_uses in each tool's definition), 1 or more."""

    web_search_price: float = 10.0
    """What web searches cost, in US dollars per 1,000 searches, for the cost shown (fetches
    cost only the tokens they add)."""

    prices: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    """Price overrides in US dollars per million tokens, by model id (a prefix also matches dated
    snapshots). cache_write and cache_read are optional: 1.25x and 0.1x the input price."""

    def with_overrides(
        self,
        model: str | None = None,
        theme: str | None = None,
        refresh_rate: int | None = None,
    ) -> Settings:
        """These settings with one run's command-line choices on top, checked as the file is.

        Raises ``ValueError`` saying what is expected, for the CLI to print as a usage error.
        """
        given = {"model": model, "theme": theme, "refresh_rate": refresh_rate}
        return replace(self, **validate({k: v for k, v in given.items() if v is not None}))


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with the config file, kept structured for the UI and readable as a line."""

    path: Path
    key: str | None
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path.name if self.line is None else f"{self.path.name}, line {self.line}"
        return f"{where}: {self.message}"


def config_path(explicit: Path | None = None, environ: Mapping[str, str] = os.environ) -> Path:
    """``--config FILE``, else ``$CLAUDE_TUI_CONFIG``, else ``config.toml`` in the config dir."""
    if explicit is not None:
        return explicit.expanduser()
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV]).expanduser()
    return paths.config_dir() / "config.toml"


def validate(changes: Mapping[str, object]) -> dict[str, Any]:
    """``changes`` checked by the same rules as the file; ``ValueError`` names the first bad one."""
    checked: dict[str, Any] = {}
    for key, value in changes.items():
        rule = RULES.get(key)
        if rule is None:
            raise ValueError(f"unknown setting {key!r}; expected one of {', '.join(RULES)}")
        try:
            checked[key] = rule.check(value)
        except Invalid as error:
            message = f"{key} = {show(value)} {error.reason}; expected {rule.expected}"
            raise ValueError(message) from None
    return checked


def load_config(path: Path) -> tuple[Settings, list[ConfigProblem]]:
    """The settings in ``path`` and what was wrong with it; never raises for a bad file.

    A missing file is simply the defaults. A file that cannot be read or parsed gives the
    defaults and one problem; otherwise each bad or unknown key gives a problem of its own.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings(), []
    except OSError as error:
        reason = error.strerror or str(error)
        return Settings(), [_whole_file(path, None, f"cannot be read ({reason})")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Settings(), [_whole_file(path, None, "is not UTF-8 text")]
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = f"not valid TOML ({error_reason(str(error))}); the file is left as it is"
        return Settings(), [_whole_file(path, error_line(str(error), text), message)]
    return _from_table(table, path)


def _whole_file(path: Path, line: int | None, message: str) -> ConfigProblem:
    return ConfigProblem(path, None, line, f"{message}; every setting uses its default")


def _from_table(table: dict[str, Any], path: Path) -> tuple[Settings, list[ConfigProblem]]:
    """Apply each good key; report and skip each bad one, so one typo costs only its own key."""
    base = Settings()
    values: dict[str, Any] = {}  # Any: each value has passed its own rule
    problems: list[ConfigProblem] = []
    for key, value in table.items():
        rule = RULES.get(key)
        if rule is None:
            problems.append(ConfigProblem(path, key, None, _unknown_key(key)))
            continue
        try:
            if key == "prices":
                good, bad = split_prices(value)
                for model, reason in bad.items():
                    message = f"prices.{_dotted(model)} {reason}; expected {PRICE_EXPECTED}"
                    problems.append(ConfigProblem(path, key, None, message + " (entry ignored)"))
                values[key] = good
            else:
                values[key] = rule.check(value)
        except Invalid as error:
            default = getattr(base, key)
            using = show(default) if default != {} else "no overrides"
            message = f"{key} = {show(value)} {error.reason}; expected {rule.expected}"
            problems.append(ConfigProblem(path, key, None, f"{message} (using {using})"))
    return replace(base, **values), problems


def _unknown_key(key: str) -> str:
    close = difflib.get_close_matches(key, list(RULES), n=1)
    hint = f"did you mean {close[0]}?" if close else f"expected one of {', '.join(RULES)}"
    return f"unknown key {show(key)} is ignored; {hint}"


def _dotted(key: str) -> str:
    """A key as TOML would write it after a dot: bare when it can be, quoted otherwise."""
    bare = key and all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in key)
    return key if bare else show(key)


def price_overrides(settings: Settings) -> dict[str, Price]:
    """``settings.prices`` as ``pricing.Price`` values, for ``pricing.cost_usd(overrides=...)``."""
    overrides: dict[str, Price] = {}
    for model, entry in settings.prices.items():
        base = entry["input"]
        overrides[model] = Price(
            input=base,
            output=entry["output"],
            cache_write=entry.get("cache_write", base * CACHE_WRITE_RATIO),
            cache_read=entry.get("cache_read", base * CACHE_READ_RATIO),
        )
    return overrides


@functools.cache
def field_docs() -> dict[str, str]:
    """Each ``Settings`` field's docstring: the only place each setting is explained."""
    return attribute_docs(Settings)


FIRST_RUN_HEADER = """\
# claude-tui settings. Every key is optional: delete one and its default applies.
# A wrong value is reported when the app starts, and that key uses its default.
# Changing the theme, refresh rate, model or sidebar in the app saves them here;
# saving rewrites this file without these comments.
"""

PRICES_EXAMPLE = "# claude-sonnet-5-5 = { input = 3.0, output = 15.0 }\n"


def first_run_text() -> str:
    """Every key at its default with its explanation above it; tables go last, as TOML needs."""
    import tomli_w  # only for writing: not needed to start the app

    defaults_now = Settings()
    docs = field_docs()
    scalars: list[str] = []
    tables: list[str] = []
    for item in fields(Settings):
        value = getattr(defaults_now, item.name)
        comment = "".join(
            f"# {line}".rstrip() + "\n" for line in docs.get(item.name, "").split("\n")
        )
        if isinstance(value, Mapping):
            body = tomli_w.dumps({item.name: dict(value)})
            example = PRICES_EXAMPLE if item.name == "prices" else ""
            tables.append(comment + body + example)
        else:
            scalars.append(comment + tomli_w.dumps({item.name: value}))
    return FIRST_RUN_HEADER + "\n" + "\n".join(scalars + tables)


def ensure_config(path: Path) -> bool:
    """On first run, create ``path`` with every key and its comment; True if it was created.

    An existing file is never touched, even an empty or broken one: it is the user's. The
    folder is created 0700 and the file 0600. Raises ``OSError`` if it cannot be created; the
    app runs on defaults then.
    """
    if path.exists() or path.is_symlink():
        return False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another instance won the race: theirs stands
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(first_run_text())
    return True


def save_settings(path: Path, changes: Mapping[str, object]) -> None:
    """Write ``changes`` into the config file, keeping every other key, known or not, as it is.

    A value of ``None`` removes the key, so its default applies (TOML has no null). Values are
    checked as on loading (``ValueError`` if bad). The file is rewritten with tomli-w, which
    drops comments and formatting; values are kept. A file that cannot be read or parsed is
    never overwritten: ``ConfigError`` says so. The write is atomic: a 0600 temp file in the same
    folder, fsynced, then ``os.replace``, so a crash leaves the old file or the new one. A
    symlinked config (dotfiles) has its target rewritten and the link kept.
    """
    import tomli_w  # only for writing: not needed to start the app

    target = path.resolve() if path.is_symlink() else path
    checked = validate({k: v for k, v in changes.items() if v is not None})
    removed = [key for key, value in changes.items() if value is None]
    for key in removed:
        if key not in RULES:
            raise ValueError(f"unknown setting {key!r}; expected one of {', '.join(RULES)}")
    table = read_for_update(target)
    table.update(checked)
    for key in removed:
        table.pop(key, None)
    write_atomic(target, tomli_w.dumps(table))
