"""Unit tests run without a server; helpers beside them (chance.py) import by module name."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
