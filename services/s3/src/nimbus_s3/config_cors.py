"""CORS configurations: S3's checks on PutBucketCors."""

from __future__ import annotations

from typing import Any

from nimbus_s3.errors import invalid_argument, invalid_request, malformed_xml

METHODS = ("GET", "PUT", "POST", "DELETE", "HEAD")
MAX_RULES = 100
MAX_ID = 255


def validate_cors(config: Any) -> dict[str, Any]:
    """The CORSConfiguration input member, checked; returned as stored ({"CORSRules": [...]})."""
    if not isinstance(config, dict):
        raise malformed_xml()
    rules = config.get("CORSRules")
    if not isinstance(rules, list) or not rules:
        raise malformed_xml()
    if len(rules) > MAX_RULES:
        raise malformed_xml()
    for rule in rules:
        _check_rule(rule)
    return {"CORSRules": rules}


def _check_rule(rule: Any) -> None:
    if not isinstance(rule, dict):
        raise malformed_xml()
    methods = rule.get("AllowedMethods")
    origins = rule.get("AllowedOrigins")
    if not methods or not origins:
        raise malformed_xml()
    for method in methods:
        if method not in METHODS:
            raise invalid_request(
                f"Found unsupported HTTP method in CORS config. Unsupported method is {method}"
            )
    for origin in origins:
        if str(origin).count("*") > 1:
            raise invalid_request(f'AllowedOrigin "{origin}" can not have more than one wildcard.')
    for header in rule.get("AllowedHeaders") or []:
        if str(header).count("*") > 1:
            raise invalid_request(f'AllowedHeader "{header}" can not have more than one wildcard.')
    for header in rule.get("ExposeHeaders") or []:
        if "*" in str(header):
            raise invalid_request(
                f'ExposeHeader "{header}" contains wildcard. We currently do not support'
                " wildcard for ExposeHeader"
            )
    rule_id = rule.get("ID")
    if rule_id is not None and len(str(rule_id)) > MAX_ID:
        raise invalid_argument(
            "ID length should not exceed allowed limit of 255", "ID", str(rule_id)
        )
    max_age = rule.get("MaxAgeSeconds")
    if max_age is not None and int(max_age) < 0:
        raise malformed_xml()
