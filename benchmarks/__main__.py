"""``python -m benchmarks``: every benchmark, then benchmarks/RESULTS.md (benchmarks/run.py says how)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import main  # noqa: E402

sys.exit(main())
