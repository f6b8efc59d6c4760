"""Where things are: the repository (for deploy/local scripts) and the run directory."""

from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    """The checkout this command runs from (it holds deploy/local/infra.sh)."""
    if home := os.environ.get("NIMBUS_HOME"):
        return Path(home)
    for parent in Path(__file__).resolve().parents:
        if (parent / "deploy" / "local" / "infra.sh").exists():
            return parent
    raise SystemExit("cannot find the Nimbus checkout; set NIMBUS_HOME")


def state_dir() -> Path:
    """Data of the local infrastructure and the cloud: NIMBUS_STATE_DIR or <repo>/.state."""
    return Path(os.environ.get("NIMBUS_STATE_DIR") or repo_root() / ".state")


def default_run_dir() -> Path:
    """Plan, status and logs of the supervised cloud."""
    return state_dir() / "cloud"
