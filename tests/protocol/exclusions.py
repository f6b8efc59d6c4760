"""Operations the round-trip tests leave out, each with the reason it cannot apply.

Keys are (service, operation, side) with side "request" or "response".
"""

from __future__ import annotations

SERVICES = ("s3", "sqs", "iam", "sts", "ec2", "route53")
# Not Nimbus services: they cover the protocol flavours the six do not use (rest-json, and
# json without awsQueryCompatible), with the same tests.
EXTRA_SERVICES = ("lambda", "dynamodb")

EXCLUSIONS: dict[tuple[str, str, str], str] = {
    ("s3", "SelectObjectContent", "response"): (
        "the output is an event stream (application/vnd.amazon.eventstream frames), "
        "which is not a document protocol; Nimbus does not serve S3 Select"
    ),
    ("lambda", "InvokeWithResponseStream", "response"): (
        "the output is an event stream (application/vnd.amazon.eventstream frames)"
    ),
}
