"""Run one replica of the s3 service (settings from NIMBUS_* variables)."""

from nimbus_core.runtime import main

from nimbus_s3.service import SPEC
from nimbus_s3.settings import S3Settings

if __name__ == "__main__":
    main(SPEC, S3Settings())
