"""Shared fixtures. Async tests use pytest-asyncio in strict mode (marked explicitly)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
