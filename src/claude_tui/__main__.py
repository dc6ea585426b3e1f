"""``python -m claude_tui``."""

import sys

from claude_tui.cli.main import main

sys.exit(main())
