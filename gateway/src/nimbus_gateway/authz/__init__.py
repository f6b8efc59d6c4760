"""The authorization map: which IAM actions, resources and condition keys each operation needs.

AWS authorizes a request not by its operation name but by the IAM action(s) the Service
Authorization Reference assigns to it, on resource ARNs built from the request. This package
holds that mapping as reviewable data (``data/<api>.json``) and a resolver that turns a parsed
request into the list of :class:`Requirement` the policy engine must allow.
"""

from nimbus_gateway.authz.errors import AuthzMapError, UnknownOperation, UnresolvedPlaceholder
from nimbus_gateway.authz.model import Entry, Requirement, ResourceOwner, Rule
from nimbus_gateway.authz.owner import resource_owner
from nimbus_gateway.authz.registry import PENDING_APIS, entry, mapped_apis, operations
from nimbus_gateway.authz.resolver import PathLookup, requirements

__all__ = [
    "PENDING_APIS",
    "AuthzMapError",
    "Entry",
    "PathLookup",
    "Requirement",
    "ResourceOwner",
    "Rule",
    "UnknownOperation",
    "UnresolvedPlaceholder",
    "entry",
    "mapped_apis",
    "operations",
    "requirements",
    "resource_owner",
]
