"""config.toml: defaults, validation with per-key fallback, the first-run file and safe saving."""

from __future__ import annotations

import dataclasses
import os
import stat
import tomllib
from pathlib import Path

import pytest
import tomli_w

from claude_tui.core import config, defaults, pricing
from claude_tui.core.config import (
    ConfigError,
    ConfigProblem,
    Settings,
    config_path,
    ensure_config,
    load_config,
    price_overrides,
    save_settings,
)
from claude_tui.core.config_schema import RULES
from claude_tui.core.pricing import Price


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "conf" / "config.toml"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_come_from_defaults_module() -> None:
    settings = Settings()
    assert settings.model == defaults.DEFAULT_MODEL
    assert settings.max_tokens == defaults.DEFAULT_MAX_TOKENS
    assert settings.system_prompt == defaults.DEFAULT_SYSTEM_PROMPT
    assert settings.refresh_rate == defaults.DEFAULT_REFRESH_RATE == 30
    assert settings.max_retries == defaults.DEFAULT_MAX_RETRIES
    assert settings.stream_idle_timeout == defaults.DEFAULT_IDLE_TIMEOUT == 60
    assert settings.request_timeout == defaults.DEFAULT_REQUEST_TIMEOUT
    assert settings.cursor == defaults.STREAMING_CURSOR == "▊"
    assert settings.theme == "claude-dark"
    assert (settings.show_sidebar, settings.show_metrics, settings.thinking) == (True, True, False)
    assert settings.thinking_budget == 4096
    assert settings.prices == {}


def test_every_field_has_a_rule_and_a_docstring() -> None:
    names = [item.name for item in dataclasses.fields(Settings)]
    assert list(RULES) == names
    docs = config.field_docs()
    assert set(docs) == set(names)
    assert all(docs[name].strip() for name in names)


def test_config_path_order(tmp_path: Path) -> None:
    explicit = tmp_path / "x.toml"
    env = {"CLAUDE_TUI_CONFIG": str(tmp_path / "env.toml")}
    assert config_path(explicit, env) == explicit
    assert config_path(None, env) == tmp_path / "env.toml"
    assert config_path(None, {}) == tmp_path / "config" / "claude-tui" / "config.toml"
    assert config_path(None, {"CLAUDE_TUI_CONFIG": ""}).name == "config.toml"


def test_missing_file_is_defaults_without_problems(path: Path) -> None:
    assert load_config(path) == (Settings(), [])


def test_partial_file_keeps_other_defaults(path: Path) -> None:
    write(path, 'theme = "ember"\nrefresh_rate = 2\nstream_idle_timeout = 5\n')
    settings, problems = load_config(path)
    assert problems == []
    assert settings == dataclasses.replace(
        Settings(), theme="ember", refresh_rate=2, stream_idle_timeout=5.0
    )
    assert isinstance(settings.stream_idle_timeout, float)  # floats accept ints


def test_every_key_loads(path: Path) -> None:
    values = {
        "model": "claude-opus-4-5",
        "max_tokens": 1000,
        "system_prompt": "",
        "theme": "midnight",
        "refresh_rate": 120,
        "max_retries": 0,
        "stream_idle_timeout": 0.5,
        "request_timeout": 30,
        "show_sidebar": False,
        "show_metrics": False,
        "cursor": "_",
        "max_width": 0,
        "thinking": True,
        "thinking_budget": 1024,
        "web_search": True,
        "web_fetch": True,
        "web_max_uses": 2,
        "web_search_price": 12.5,
        "prices": {"claude-x": {"input": 1, "output": 2.5}},
    }
    write(path, tomli_w.dumps(values))
    settings, problems = load_config(path)
    assert problems == []
    assert settings.prices == {
        "claude-x": {"input": 1.0, "output": 2.5, "cache_write": 1.25, "cache_read": 0.1}
    }
    for key, value in values.items():
        if key != "prices":
            assert getattr(settings, key) == value, key


@pytest.mark.parametrize(
    ("line", "key", "expected"),
    [
        (
            "refresh_rate = 500",
            "refresh_rate",
            "refresh_rate = 500 is out of range; expected an integer from 1 to 120 (using 30)",
        ),
        ("refresh_rate = 0", "refresh_rate", "out of range"),
        ('refresh_rate = "fast"', "refresh_rate", '"fast" is not an integer'),
        ("refresh_rate = true", "refresh_rate", "true is not an integer"),
        ("refresh_rate = 2.5", "refresh_rate", "is not an integer"),
        ("max_retries = 11", "max_retries", "an integer from 0 to 10 (using 2)"),
        ("max_tokens = 0", "max_tokens", "an integer of 1 or more"),
        ("thinking_budget = 1000", "thinking_budget", "an integer of 1024 or more (using 4096)"),
        ("stream_idle_timeout = 0", "stream_idle_timeout", "a number of seconds greater than 0"),
        ("request_timeout = -1.5", "request_timeout", "-1.5 is out of range"),
        ("request_timeout = inf", "request_timeout", "inf is out of range"),
        ("request_timeout = nan", "request_timeout", "out of range"),
        ('request_timeout = "60"', "request_timeout", "is not a number"),
        ("stream_idle_timeout = true", "stream_idle_timeout", "is not a number"),
        (
            "show_sidebar = 1",
            "show_sidebar",
            "show_sidebar = 1 is not true or false; expected true or false (using true)",
        ),
        ('show_metrics = "yes"', "show_metrics", "is not true or false"),
        ("thinking = 0", "thinking", "(using false)"),
        ('cursor = "ab"', "cursor", "is not a single visible character"),
        ('cursor = " "', "cursor", "is not a single visible character"),
        ('cursor = "\\u0007"', "cursor", '"\\u0007" is not a single visible character'),
        ("cursor = 5", "cursor", "is not a string"),
        (
            "max_width = 10",
            "max_width",
            "max_width = 10 is out of range; expected 0 (no limit) or an integer from 20 to 1000 "
            "(using 100)",
        ),
        ("max_width = -1", "max_width", "is out of range"),
        ('max_width = "wide"', "max_width", "is not an integer"),
        ('model = ""', "model", "is not a single word"),
        ('model = "claude opus"', "model", "is not a single word"),
        (
            "model = 4",
            "model",
            'is not a string; expected a non-empty name without spaces (using "claude-sonnet-5-5")',
        ),
        (
            "web_search = 1",
            "web_search",
            "web_search = 1 is not true or false; expected true or false (using false)",
        ),
        (
            'web_fetch = "on"',
            "web_fetch",
            "is not true or false; expected true or false (using false)",
        ),
        (
            "web_max_uses = 0",
            "web_max_uses",
            "is out of range; expected an integer of 1 or more (using 5)",
        ),
        (
            "web_search_price = -1",
            "web_search_price",
            "web_search_price = -1 is out of range; "
            "expected a number of US dollars, 0 or more (using 10.0)",
        ),
        ("web_search_price = inf", "web_search_price", "is out of range"),
        ('web_search_price = "10"', "web_search_price", "is not a number"),
        ("theme = []", "theme", "theme = an array is not a string"),
        ("system_prompt = 3", "system_prompt", "is not a string"),
        ("prices = 3", "prices", "prices = 3 is not a table; expected a table of model id = "),
        ("colour = 'red'", "colour", 'unknown key "colour" is ignored; expected one of model,'),
        ("refresh-rate = 2", "refresh-rate", "did you mean refresh_rate?"),
        ("[theme_options]\nx = 1", "theme_options", "unknown key"),
    ],
)
def test_a_bad_key_falls_back_while_the_rest_apply(
    path: Path, line: str, key: str, expected: str
) -> None:
    others = {"model": '"claude-haiku-4-5"', "cursor": '"|"', "max_retries": "5"}
    others.pop(key, None)
    write(path, "".join(f"{name} = {value}\n" for name, value in others.items()) + line + "\n")
    settings, problems = load_config(path)
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.path, problem.key, problem.line) == (path, key, None)
    text = str(problem)
    assert text.startswith("config.toml: ")
    assert expected in text
    assert "\n" not in text
    if key in RULES:
        assert getattr(settings, key) == getattr(Settings(), key)
    for name, value in others.items():
        assert getattr(settings, name) == tomllib.loads(f"v = {value}")["v"]


def test_web_tools_are_off_by_default_and_searches_priced() -> None:
    """Searches cost money, so neither tool is on until the user turns it on."""
    settings = Settings()
    assert (settings.web_search, settings.web_fetch) == (False, False)
    assert (settings.web_max_uses, settings.web_search_price) == (5, 10.0)


def test_a_free_search_price_is_allowed(path: Path) -> None:
    write(path, "web_search_price = 0\n")
    settings, problems = load_config(path)
    assert problems == []
    assert settings.web_search_price == 0.0
    assert isinstance(settings.web_search_price, float)


def test_several_bad_keys_each_reported(path: Path) -> None:
    write(path, 'refresh_rate = 0\nshow_sidebar = "no"\nmystery = 1\ntheme = "fjord"\n')
    settings, problems = load_config(path)
    assert [problem.key for problem in problems] == ["refresh_rate", "show_sidebar", "mystery"]
    assert settings.theme == "fjord"
    assert (settings.refresh_rate, settings.show_sidebar) == (30, True)


def test_bad_price_entry_is_dropped_alone(path: Path) -> None:
    write(
        path,
        "[prices]\n"
        "good = { input = 2, output = 8, cache_write = 2.5, cache_read = 0.2 }\n"
        "nooutput = { input = 2 }\n"
        "negative = { input = -1, output = 8 }\n"
        "typo = { input = 1, output = 2, cache_reads = 1 }\n"
        '"odd id" = 3\n',
    )
    settings, problems = load_config(path)
    assert settings.prices == {
        "good": {"input": 2.0, "output": 8.0, "cache_write": 2.5, "cache_read": 0.2}
    }
    messages = [str(problem) for problem in problems]
    assert len(messages) == 4
    assert all(problem.key == "prices" for problem in problems)
    assert "prices.nooutput has no output price" in messages[0]
    assert "prices.negative has input = -1, which is out of range" in messages[1]
    assert 'prices.typo has an unknown key "cache_reads"' in messages[2]
    assert 'prices."odd id" is not a table' in messages[3]
    assert all(message.endswith("(entry ignored)") for message in messages)


def test_price_overrides_feed_pricing(path: Path) -> None:
    write(path, "[prices]\nclaude-sonnet-5-5 = { input = 1, output = 2 }\n")
    settings, _ = load_config(path)
    overrides = price_overrides(settings)
    assert overrides == {
        "claude-sonnet-5-5": Price(input=1.0, output=2.0, cache_write=1.25, cache_read=0.1)
    }
    dated = "claude-sonnet-5-5-20260101"
    assert pricing.price_for(dated, overrides) == overrides["claude-sonnet-5-5"]
    assert pricing.price_for(dated) == pricing.FAMILY_PRICES["sonnet"]  # old calls unchanged
    assert pricing.price_for("claude-opus-4-5", overrides) == pricing.FAMILY_PRICES["opus"]
    cost = pricing.cost_usd(
        dated, input_tokens=1_000_000, output_tokens=1_000_000, overrides=overrides
    )
    assert cost == pytest.approx(3.0)
    assert pricing.cost_usd(dated, input_tokens=1_000_000, output_tokens=0) == pytest.approx(3.0)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('theme = "ember"\nrefresh_rate = = 3\n', 2),
        ('theme = "ember"\n\n\n[prices\n', 4),
        ('theme = "ember"\ntheme = "fjord"\n', 2),
        ('theme = "ember', 1),
    ],
)
def test_unparseable_toml_names_file_and_line(path: Path, text: str, line: int) -> None:
    write(path, text)
    settings, problems = load_config(path)
    assert settings == Settings()
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.key, problem.line) == (None, line)
    notice = str(problem)
    assert notice.startswith(f"config.toml, line {line}: not valid TOML (")
    assert "(at line" not in notice
    assert "every setting uses its default" in notice


def test_save_refuses_to_overwrite_an_unparseable_file(path: Path) -> None:
    write(path, "theme = = broken\n")
    with pytest.raises(ConfigError, match=r"config.toml, line 1 is not valid TOML.*never"):
        save_settings(path, {"theme": "ember"})
    assert path.read_text(encoding="utf-8") == "theme = = broken\n"
    assert os.listdir(path.parent) == ["config.toml"]


def test_not_utf8_and_unreadable_files(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b'theme = "\xff"\n')
    settings, problems = load_config(path)
    assert settings == Settings()
    assert str(problems[0]) == ("config.toml: is not UTF-8 text; every setting uses its default")
    with pytest.raises(ConfigError, match="not UTF-8"):
        save_settings(path, {"theme": "ember"})

    folder = path.parent / "dir.toml"
    folder.mkdir()
    settings, problems = load_config(folder)
    assert settings == Settings()
    assert str(problems[0]).startswith("dir.toml: cannot be read (")


def test_unreadable_file(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated, as the suite may run as root, who can read a 0000 file."""
    write(path, 'theme = "ember"\n')
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    settings, problems = load_config(path)
    assert settings == Settings()
    assert str(problems[0]) == (
        "config.toml: cannot be read (Permission denied); every setting uses its default"
    )
    with pytest.raises(ConfigError, match=r"cannot read .*config\.toml \(Permission denied"):
        save_settings(path, {"theme": "fjord"})


def test_first_run_file_has_every_key_with_a_comment(path: Path) -> None:
    assert ensure_config(path) is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text(encoding="utf-8")
    assert load_config(path) == (Settings(), [])
    assert set(tomllib.loads(text)) == set(RULES)
    lines = text.splitlines()
    for key in RULES:
        where = next(
            index for index, line in enumerate(lines) if line.startswith((f"{key} = ", f"[{key}]"))
        )
        assert lines[where - 1].startswith("# "), key
    assert "# 1–120 redraws a second while a reply streams; lower saves CPU." in text


def test_first_run_never_overwrites(path: Path) -> None:
    write(path, "")
    assert ensure_config(path) is False
    assert path.read_text(encoding="utf-8") == ""
    write(path, "not toml = = =")
    assert ensure_config(path) is False
    assert path.read_text(encoding="utf-8") == "not toml = = ="


def test_save_round_trip_keeps_other_values_and_unknown_keys(path: Path) -> None:
    write(
        path,
        '# my notes\nmodel = "claude-opus-4-5"\nrefresh_rate = 500\nfuture_key = "keep me"\n'
        "[prices]\nmine = { input = 1, output = 2 }\n",
    )
    save_settings(path, {"theme": "ember", "refresh_rate": 10, "show_sidebar": False})
    stored = tomllib.loads(path.read_text(encoding="utf-8"))
    assert stored == {
        "model": "claude-opus-4-5",
        "refresh_rate": 10,
        "future_key": "keep me",
        "prices": {"mine": {"input": 1, "output": 2}},
        "theme": "ember",
        "show_sidebar": False,
    }
    settings, problems = load_config(path)
    assert [problem.key for problem in problems] == ["future_key"]
    assert (settings.theme, settings.refresh_rate, settings.show_sidebar) == ("ember", 10, False)
    assert settings.model == "claude-opus-4-5"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_save_creates_missing_file_and_folder(path: Path) -> None:
    save_settings(path, {"theme": "midnight"})
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"theme": "midnight"}
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_none_is_never_written(path: Path) -> None:
    write(path, 'theme = "ember"\nrefresh_rate = 5\n')
    save_settings(path, {"theme": None, "model": "claude-haiku-4-5"})
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {
        "refresh_rate": 5,
        "model": "claude-haiku-4-5",
    }


def test_save_validates(path: Path) -> None:
    write(path, 'theme = "ember"\n')
    with pytest.raises(ValueError, match="refresh_rate = 0 is out of range"):
        save_settings(path, {"refresh_rate": 0})
    with pytest.raises(ValueError, match="unknown setting 'colour'"):
        save_settings(path, {"colour": "red"})
    with pytest.raises(ValueError, match="unknown setting 'colour'"):
        save_settings(path, {"colour": None})
    assert path.read_text(encoding="utf-8") == 'theme = "ember"\n'


def test_save_writes_through_a_symlink(path: Path, tmp_path: Path) -> None:
    real = write(tmp_path / "dotfiles" / "config.toml", 'theme = "ember"\n')
    path.parent.mkdir(parents=True)
    path.symlink_to(real)
    save_settings(path, {"refresh_rate": 7})
    assert path.is_symlink()
    assert tomllib.loads(real.read_text(encoding="utf-8")) == {"theme": "ember", "refresh_rate": 7}


def test_atomic_write_uses_a_private_temp_file_beside_the_target(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(path, 'theme = "ember"\n')
    seen: list[tuple[str, str, int]] = []
    real_replace = os.replace

    def spy(source: str, target: str) -> None:
        seen.append((source, target, stat.S_IMODE(os.stat(source).st_mode)))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", spy)
    save_settings(path, {"theme": "fjord"})
    [(source, target, mode)] = seen
    assert Path(source).parent == path.parent
    assert Path(target) == path
    assert mode == 0o600
    assert os.listdir(path.parent) == ["config.toml"]


def test_original_intact_when_replace_fails(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(path, 'theme = "ember"\n')

    def fail(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(ConfigError, match="No space left on device"):
        save_settings(path, {"theme": "fjord"})
    assert path.read_text(encoding="utf-8") == 'theme = "ember"\n'
    assert os.listdir(path.parent) == ["config.toml"]  # no temp file left behind


def test_original_intact_when_serialising_fails(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(path, 'theme = "ember"\n')

    def fail(data: object) -> str:
        raise TypeError("cannot serialise")

    monkeypatch.setattr(tomli_w, "dumps", fail)
    with pytest.raises(TypeError):
        save_settings(path, {"theme": "fjord"})
    assert path.read_text(encoding="utf-8") == 'theme = "ember"\n'
    assert os.listdir(path.parent) == ["config.toml"]


def test_overrides() -> None:
    base = Settings(theme="ember")
    assert base.with_overrides() == base
    changed = base.with_overrides(model="claude-opus-4-5", theme="fjord", refresh_rate=2)
    assert (changed.model, changed.theme, changed.refresh_rate) == ("claude-opus-4-5", "fjord", 2)
    assert base.theme == "ember"  # frozen: a new object
    with pytest.raises(
        ValueError,
        match=r"refresh_rate = 500 is out of range; expected an "
        r"integer from 1 to 120",
    ):
        base.with_overrides(refresh_rate=500)
    with pytest.raises(ValueError, match="not a single word"):
        base.with_overrides(theme="")


def test_problem_str_forms(tmp_path: Path) -> None:
    file = tmp_path / "config.toml"
    assert str(ConfigProblem(file, "x", None, "bad")) == "config.toml: bad"
    assert str(ConfigProblem(file, None, 3, "bad")) == "config.toml, line 3: bad"
