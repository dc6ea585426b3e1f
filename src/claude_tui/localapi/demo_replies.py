"""Canned replies for demo mode, chosen to exercise every part of the Markdown renderer.

Demo mode runs the real client against the local Messages-API server, so what the user sees must
look like a real answer: headings, lists, a table, fenced code in several languages, and inline
emphasis. Each reply is plain data so the renderer, the snapshot tests and the benchmarks all see
the same text. The picker is deterministic (keywords first, then the turn index), which keeps
screenshots and tests reproducible while still making a conversation feel varied.
"""

from __future__ import annotations

import re

GREETING = """\
Hello! 👋 I'm running in **demo mode**, so every answer you see here is streamed from a small \
local server instead of the real API. It's a good way to try the interface without an API key.

Here's what you can explore:

- **Markdown rendering** — headings, lists, tables and *inline styles* such as `code spans`.
- **Syntax-highlighted code** in fenced blocks (Python, Rust, Bash and more).
- **Streaming** at a realistic pace, with a short pause before the first token.
- **Cancelling** a reply mid-stream and carrying on.

A few prompts to try:

1. *"Write a Python function that retries with backoff"*
2. *"Compare SQLite, PostgreSQL and DuckDB in a table"*
3. *"List the steps to set up a new Rust project"*

Ask me anything — the replies are canned, but the way they arrive is exactly how a real \
conversation streams. Long answers, code blocks that arrive a few characters at a time and \
tables that fill in row by row are all part of the show."""

PYTHON_CODE = """\
Here's a small, dependency-free helper that retries a flaky call with **exponential backoff** \
and *jitter*. It only retries the exceptions you name, so real bugs still surface immediately.

```python
import random
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def retry(
    func: Callable[[], T],
    *,
    attempts: int = 4,
    base_delay: float = 0.5,
    max_delay: float = 8.0,
    retry_on: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError),
) -> T:
    \"\"\"Call ``func`` until it succeeds or ``attempts`` run out.\"\"\"
    for attempt in range(attempts):
        try:
            return func()
        except retry_on:
            if attempt == attempts - 1:
                raise
            delay = min(max_delay, base_delay * 2**attempt)
            time.sleep(delay * random.uniform(0.5, 1.0))
    raise AssertionError("unreachable")
```

### How it works

- The delay doubles each time: `0.5 s`, `1 s`, `2 s`, … capped at `max_delay`.
- **Jitter** (the `random.uniform` factor) stops many clients from retrying in lockstep.
- The last failure is re-raised unchanged, so the traceback still points at the real cause.

### Trying it out

```python
calls = 0

def flaky() -> str:
    global calls
    calls += 1
    if calls < 3:
        raise ConnectionError("temporary glitch")
    return "ok"

print(retry(flaky))  # prints "ok" after two retries
```

If you need this for `async` code, the same loop works with `await asyncio.sleep(...)` in \
place of `time.sleep(...)`."""

RUST_CODE = """\
Here's a compact Rust program that counts word frequencies in a file and prints the top ten. \
It uses only the standard library.

```rust
use std::collections::HashMap;
use std::env;
use std::fs;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = env::args().nth(1).ok_or("usage: wordfreq <file>")?;
    let text = fs::read_to_string(&path)?;

    let mut counts: HashMap<String, usize> = HashMap::new();
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        *counts.entry(word.to_lowercase()).or_insert(0) += 1;
    }

    let mut ranked: Vec<_> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));

    for (word, n) in ranked.iter().take(10) {
        println!("{n:>6}  {word}");
    }
    Ok(())
}
```

To build and run it:

```bash
cargo new wordfreq && cd wordfreq
# paste the code into src/main.rs, then:
cargo run --release -- README.md
```

A few things worth noticing:

1. `?` propagates both I/O errors and the usage message through one `Box<dyn Error>`.
2. `entry(...).or_insert(0)` avoids a second lookup per word.
3. Sorting by count *then* by word makes the output **deterministic** when counts tie.

For very large inputs you could stream the file with `BufReader::lines()` instead of reading it \
all at once, which keeps memory flat regardless of file size."""

COMPARISON_TABLE = """\
## SQLite vs PostgreSQL vs DuckDB

All three speak SQL, but they're built for quite different jobs. Here's a side-by-side view:

| | **SQLite** | **PostgreSQL** | **DuckDB** |
|---|---|---|---|
| Architecture | Embedded library | Client–server | Embedded library |
| Best at | Small apps, local state | Concurrent OLTP workloads | Analytics (OLAP) |
| Storage layout | Row-oriented | Row-oriented | Columnar |
| Concurrent writers | One at a time | Many (MVCC) | One process |
| Setup | None — a single file | A running server | None — a single file |
| Typical size | KB to a few GB | GB to TB | MB to hundreds of GB |

### When to pick which

- **SQLite** — configuration, caches, mobile and desktop apps, tests. *It's everywhere*, and \
`sqlite3` ships with Python.
- **PostgreSQL** — anything with many users writing at once, rich types (`jsonb`, arrays, ranges) \
and strong constraints.
- **DuckDB** — crunching CSV or Parquet files, notebooks, and reporting queries that scan \
millions of rows.

A quick taste of DuckDB querying a file directly:

```sql
SELECT country, count(*) AS orders, round(avg(total), 2) AS avg_total
FROM 'orders.parquet'
GROUP BY country
ORDER BY orders DESC
LIMIT 5;
```

**Rule of thumb:** start with SQLite for a single-user tool, move to PostgreSQL when several \
processes must write concurrently, and reach for DuckDB when the questions are analytical rather \
than transactional. They also combine well — DuckDB can even read SQLite and PostgreSQL tables \
directly."""

SETUP_STEPS = """\
## Setting up a new Python project

Here's a clean, repeatable way to start a project, step by step:

1. **Create the folder and a virtual environment**

   ```bash
   mkdir myproject && cd myproject
   python3 -m venv .venv
   source .venv/bin/activate
   ```

2. **Add a `pyproject.toml`** with your metadata and dependencies. Keep runtime dependencies \
minimal and put tools like `pytest` under an optional `test` extra.

3. **Use the `src/` layout** — put code in `src/myproject/` so tests run against the installed \
package, not whatever happens to be in the current directory.

4. **Install in editable mode**

   ```bash
   pip install -e ".[test]"
   ```

5. **Set up linting and type checks** with `ruff` and `mypy`, and run them before every commit.

6. **Initialise git** and ignore the usual suspects:

   ```bash
   git init
   printf '.venv/\\n__pycache__/\\n*.egg-info/\\n' > .gitignore
   git add . && git commit -m "Project skeleton"
   ```

### Tips

- Pin *exact* versions only in applications; libraries should use ranges.
- Write the first test **before** the first feature — it proves the layout works.
- Add a short `README.md` that explains how to run the tests; future you will be grateful."""

EXPLAIN_CONCEPT = """\
## How `async` / `await` works in Python

At its core, `asyncio` is a **single-threaded event loop** that juggles many tasks by switching \
between them whenever one is *waiting* — for the network, a timer, or a subprocess.

### The key ideas

- A **coroutine** (`async def`) is a function that can pause at each `await`.
- The **event loop** keeps a queue of ready tasks and runs each one until it awaits something \
that isn't ready yet.
- While one task waits on a socket, the loop runs *another* task — that's where the speed-up \
comes from.
- Nothing runs in parallel: CPU-heavy work still blocks everything, so push it to a thread or \
process with `asyncio.to_thread`.

### A small example

```python
import asyncio
import time


async def fetch(name: str, delay: float) -> str:
    await asyncio.sleep(delay)  # stands in for a network call
    return f"{name} done after {delay}s"


async def main() -> None:
    start = time.perf_counter()
    results = await asyncio.gather(
        fetch("a", 1.0),
        fetch("b", 1.0),
        fetch("c", 1.0),
    )
    print(results)
    print(f"total: {time.perf_counter() - start:.1f}s")  # about 1s, not 3s


asyncio.run(main())
```

The three calls overlap, so the total is roughly **one second** rather than three.

### Common pitfalls

1. Calling a blocking function like `time.sleep` or `requests.get` inside a coroutine — it freezes \
the whole loop.
2. Forgetting to `await` a coroutine, which leaves it never run (Python warns about this).
3. Creating tasks with `asyncio.create_task` and dropping the reference — keep it somewhere, or \
the task may be garbage-collected mid-flight."""

DEBUG_CHECKLIST = """\
## A systematic way to track down a bug

When something breaks and the cause isn't obvious, resist the urge to change code at random. \
Work through it like this:

1. **Reproduce it reliably.** A bug you can trigger on demand is half fixed. Write the smallest \
script or test that shows it.
2. **Read the whole error.** The *last* line of a traceback says what failed; the frames above it \
say where and why.
3. **Check your assumptions.** Print or log the values you're *sure* about — they're often the \
culprit.
4. **Narrow it down.** Comment out half the code path, or bisect the history.
5. **Fix the cause, not the symptom**, then keep the reproduction as a regression test.

If the bug appeared recently, `git bisect` finds the offending commit for you:

```bash
git bisect start
git bisect bad                 # the current commit is broken
git bisect good v1.4.0         # this release was fine
git bisect run pytest -x tests/test_orders.py
git bisect reset
```

### Handy tools

- `python -X dev` turns on extra runtime checks and shows hidden warnings.
- `breakpoint()` drops you into `pdb` right where you need it.
- `pytest --lf -x` reruns only the last failures and stops at the first one.

> **Tip:** explaining the problem out loud — to a colleague or a rubber duck — surprisingly often \
reveals the answer before you finish the sentence."""

TYPESCRIPT_CODE = """\
Here's a small, type-safe **debounce** helper in TypeScript. It delays calling a function until \
the input has been quiet for a while — handy for search boxes and resize handlers.

```typescript
export function debounce<Args extends unknown[]>(
  fn: (...args: Args) => void,
  waitMs: number,
): ((...args: Args) => void) & { cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;

  const debounced = (...args: Args) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      fn(...args);
    }, waitMs);
  };

  debounced.cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return debounced;
}
```

Using it:

```typescript
const search = debounce((query: string) => {
  console.log(`searching for ${query}`);
}, 300);

search("c");
search("cl");
search("claude"); // only this call runs, 300 ms later
```

### Why it's written this way

- The generic `Args` keeps the **parameter types** of the wrapped function, so mistakes show up \
at compile time.
- `ReturnType<typeof setTimeout>` works in both browsers and Node without `any`.
- The `cancel()` method lets a component clean up when it unmounts, avoiding calls on *stale* \
state."""

REPLIES: tuple[str, ...] = (
    GREETING,
    PYTHON_CODE,
    RUST_CODE,
    COMPARISON_TABLE,
    SETUP_STEPS,
    EXPLAIN_CONCEPT,
    DEBUG_CHECKLIST,
    TYPESCRIPT_CODE,
)
"""Every canned reply, in a fixed order (used to build replies of a requested length)."""

_ROTATION: tuple[str, ...] = (
    EXPLAIN_CONCEPT,
    PYTHON_CODE,
    COMPARISON_TABLE,
    SETUP_STEPS,
    RUST_CODE,
    DEBUG_CHECKLIST,
    TYPESCRIPT_CODE,
)
"""Replies for prompts no keyword matches; the order alternates prose, code and tables."""

_TOPICS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"\b(rust|cargo|crate)\b"), (RUST_CODE,)),
    (re.compile(r"\b(typescript|javascript|ts|js|node|react)\b"), (TYPESCRIPT_CODE,)),
    (re.compile(r"\b(python|py|pip|script)\b"), (PYTHON_CODE,)),
    (
        re.compile(r"\b(table|compare|comparison|versus|vs|difference|differences|database)\b"),
        (COMPARISON_TABLE,),
    ),
    (
        re.compile(r"\b(debug|bug|bugs|error|errors|traceback|crash|broken|fix)\b"),
        (DEBUG_CHECKLIST,),
    ),
    (
        re.compile(r"\b(code|function|implement|program|snippet|example|class|write)\b"),
        (PYTHON_CODE, RUST_CODE, TYPESCRIPT_CODE),
    ),
    (
        re.compile(r"\b(list|steps|step|setup|set up|install|guide|how do i|how to|checklist)\b"),
        (SETUP_STEPS,),
    ),
    (
        re.compile(r"\b(explain|why|what is|how does|async|concept|understand)\b"),
        (EXPLAIN_CONCEPT,),
    ),
    (
        re.compile(r"^\W*(hi|hello|hey|hiya|howdy|greetings|good (morning|afternoon|evening))\b"),
        (GREETING,),
    ),
)
"""Keyword patterns, most specific first; the first that matches the lower-cased prompt wins."""


def pick_reply(prompt: str, turn_index: int) -> str:
    """A canned reply that relates to ``prompt``, else the next one in the rotation.

    Topic keywords win so that asking for "a table" shows a table. When several replies fit a
    topic, or none matches, ``turn_index`` picks among them so that consecutive turns differ while
    the same conversation always gets the same answers (reproducible demos and snapshots).
    """
    lowered = prompt.lower()
    for pattern, options in _TOPICS:
        if pattern.search(lowered):
            return options[turn_index % len(options)]
    return _ROTATION[turn_index % len(_ROTATION)]


_THINKING_TEMPLATES: tuple[str, ...] = (
    'The user is asking: "{topic}". Let me work out what they actually need before answering. '
    "A direct answer first, then the reasoning, is probably most useful here. I should include a "
    "concrete example, since that usually makes the idea click, and keep the formatting readable "
    "in a terminal: short paragraphs, a list for the key points, and a fenced code block with a "
    "language if code is involved. Let me also double-check the edge cases so the example is "
    "correct as written.",
    'Okay, "{topic}". There are a few ways to approach this. The simplest explanation covers '
    "the common case, but I should mention the main pitfall too, because that's where people "
    "usually get stuck. Structure: a one-line summary, then the details, then a short example. "
    "I'll keep it concise and avoid jargon unless I define it first.",
    'Let me think about "{topic}" step by step. First, what\'s the context — are they learning '
    "this or solving a specific problem? The wording suggests a practical question, so I'll lead "
    "with something they can use right away. Then I'll explain why it works and note one or two "
    "alternatives and their trade-offs.",
)


def make_thinking(prompt: str, turn_index: int = 0) -> str:
    """A short, plausible extended-thinking text for ``prompt``.

    Used when a request enables thinking but the scenario gives no thinking text, so the thinking
    panel has something realistic to show in demo mode.
    """
    topic = " ".join(prompt.split())
    if len(topic) > 60:
        topic = topic[:57].rstrip() + "…"
    if not topic:
        topic = "this"
    template = _THINKING_TEMPLATES[turn_index % len(_THINKING_TEMPLATES)]
    return template.format(topic=topic)
