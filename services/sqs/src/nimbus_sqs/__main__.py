"""Run one replica of the sqs service (settings from NIMBUS_* variables)."""

from nimbus_core.runtime import main

from nimbus_sqs.service import SPEC

if __name__ == "__main__":
    main(SPEC)
