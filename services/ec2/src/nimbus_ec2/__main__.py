"""Run one replica of the ec2 service (settings from NIMBUS_* variables)."""

from nimbus_core.runtime import main

from nimbus_ec2.service import SPEC

if __name__ == "__main__":
    main(SPEC)
