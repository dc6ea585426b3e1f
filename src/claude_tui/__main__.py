"""``python -m claude_tui``."""

import sys

from claude_tui.cli import main

sys.exit(main())
