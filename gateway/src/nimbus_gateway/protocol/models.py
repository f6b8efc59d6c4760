"""botocore's model classes, imported in one place.

botocore ships no type information, so to mypy these are Any (pyproject ignores its
missing stubs); installing botocore-stubs would type them here for every module.
"""

from botocore.model import (
    NoShapeFoundError,
    OperationModel,
    ServiceModel,
    Shape,
)

__all__ = ["NoShapeFoundError", "OperationModel", "ServiceModel", "Shape"]
