"""Run one replica of the iam service (settings from NIMBUS_* variables)."""

from nimbus_core.runtime import main

from nimbus_iam.service import SPEC
from nimbus_iam.settings import IamSettings

if __name__ == "__main__":
    main(SPEC, IamSettings())
