"""Unit tests run without a server; helpers beside them (chance.py) import by module name."""

import os
import sys
from pathlib import Path

from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent))

# Property tests (test_fuzz_sources.py): CI runs the same examples every time and keeps no
# database; elsewhere each run explores new ones; `pytest --hypothesis-profile=deep` explores
# many more. No deadline: the machines are shared.
settings.register_profile("ci", max_examples=50, derandomize=True, database=None, deadline=None)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("deep", max_examples=300, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
