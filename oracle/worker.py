"""monsim oracle worker: JSON lines on stdin/stdout (see PROTOCOL.md).

    python3 oracle/worker.py
    node oracle/pyodide/runner.mjs --pyodide 314 oracle/worker.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from monsim_oracle.protocol import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
