"""Run one replica of the route53 service (settings from NIMBUS_* variables)."""

from nimbus_core.runtime import main

from nimbus_route53.service import SPEC

if __name__ == "__main__":
    main(SPEC)
