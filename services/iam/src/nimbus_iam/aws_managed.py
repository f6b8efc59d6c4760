"""AWS managed policies (arn:aws:iam::aws:policy/NAME), the same in every account.

Documents are AWS's as published (current default versions as far as known; a few are
older versions where noted). ReadOnlyAccess is ABRIDGED: AWS's runs to ~90 KB over hundreds
of services; this keeps its statement for the services Nimbus serves (and IAM/STS/CloudWatch
entries), each line verbatim from AWS's v122 document, so it grants a subset of the real one.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime

from nimbus_iam.entity_models import ManagedPolicy, PolicyVersion

ACCOUNT = "aws"
ARN_PREFIX = "arn:aws:iam::aws:policy/"


def _doc(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=4)


def _allow(action: object, resource: object = "*", **extra: object) -> dict[str, object]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


_READ_ONLY_ACTIONS = [
    "autoscaling:Describe*",
    "cloudwatch:Describe*",
    "cloudwatch:GenerateQuery",
    "cloudwatch:Get*",
    "cloudwatch:List*",
    "ec2:Describe*",
    "ec2:Get*",
    "ec2:ListImagesInRecycleBin",
    "ec2:ListSnapshotsInRecycleBin",
    "ec2:SearchLocalGatewayRoutes",
    "ec2:SearchTransitGatewayRoutes",
    "elasticloadbalancing:Describe*",
    "iam:Generate*",
    "iam:Get*",
    "iam:List*",
    "iam:Simulate*",
    "route53:Get*",
    "route53:List*",
    "route53:Test*",
    "route53domains:Check*",
    "route53domains:Get*",
    "route53domains:List*",
    "route53domains:View*",
    "s3:DescribeJob",
    "s3:Get*",
    "s3:List*",
    "sqs:Get*",
    "sqs:List*",
    "sqs:Receive*",
    "sts:GetAccessKeyInfo",
    "sts:GetCallerIdentity",
    "sts:GetSessionToken",
]

_ROUTE53_FULL = [
    "route53:*",
    "route53domains:*",
    "cloudfront:ListDistributions",
    "cloudfront:GetDistributionTenantByDomain",
    "cloudfront:GetConnectionGroup",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:GetMetricStatistics",
    "cloudwatch:GetMetricData",
    "ec2:DescribeVpcs",
    "ec2:DescribeVpcEndpoints",
    "ec2:DescribeRegions",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticbeanstalk:DescribeEnvironments",
    "es:ListDomainNames",
    "es:DescribeDomains",
    "lightsail:GetContainerServices",
    "s3:ListBucket",
    "s3:GetBucketLocation",
    "s3:GetBucketWebsite",
    "sns:ListTopics",
    "sns:ListSubscriptionsByTopic",
    "tag:GetResources",
]


def _spot_role(service: str, role: str) -> dict[str, object]:
    return _allow(
        "iam:CreateServiceLinkedRole",
        f"arn:aws:iam::*:role/aws-service-role/{service}/{role}",
        Condition={"StringLike": {"iam:AWSServiceName": service}},
    )


# name -> (description, default version, document)
_POLICIES: dict[str, tuple[str, int, str]] = {
    "AdministratorAccess": (
        "Provides full access to AWS services and resources.",
        1,
        _doc(_allow("*")),
    ),
    "ReadOnlyAccess": (
        "Provides read-only access to AWS services and resources.",
        122,
        _doc({"Sid": "ReadOnlyActions", **_allow(_READ_ONLY_ACTIONS)}),
    ),
    "PowerUserAccess": (
        "Provides full access to AWS services and resources, but does not allow management"
        " of Users and groups.",
        5,
        _doc(
            {
                "Effect": "Allow",
                "NotAction": ["iam:*", "organizations:*", "account:*"],
                "Resource": "*",
            },
            _allow(
                [
                    "account:GetAccountInformation",
                    "account:GetPrimaryEmail",
                    "account:ListRegions",
                    "iam:CreateServiceLinkedRole",
                    "iam:DeleteServiceLinkedRole",
                    "iam:ListRoles",
                    "organizations:DescribeOrganization",
                ]
            ),
        ),
    ),
    "IAMFullAccess": (
        "Provides full access to IAM via the AWS Management Console.",
        2,
        _doc(
            _allow(
                [
                    "iam:*",
                    "organizations:DescribeAccount",
                    "organizations:DescribeOrganization",
                    "organizations:DescribeOrganizationalUnit",
                    "organizations:DescribePolicy",
                    "organizations:ListChildren",
                    "organizations:ListParents",
                    "organizations:ListPoliciesForTarget",
                    "organizations:ListRoots",
                    "organizations:ListPolicies",
                    "organizations:ListTargetsForPolicy",
                ]
            )
        ),
    ),
    "AmazonS3FullAccess": (
        "Provides full access to all buckets via the AWS Management Console.",
        2,
        _doc(_allow(["s3:*", "s3-object-lambda:*"])),
    ),
    "AmazonS3ReadOnlyAccess": (
        "Provides read only access to all buckets via the AWS Management Console.",
        3,
        _doc(
            _allow(
                [
                    "s3:Get*",
                    "s3:List*",
                    "s3:Describe*",
                    "s3-object-lambda:Get*",
                    "s3-object-lambda:List*",
                ]
            )
        ),
    ),
    "AmazonSQSFullAccess": (
        "Provides full access to Amazon SQS via the AWS Management Console.",
        1,
        _doc({"Action": ["sqs:*"], "Effect": "Allow", "Resource": "*"}),
    ),
    "AmazonEC2FullAccess": (
        "Provides full access to Amazon EC2 via the AWS Management Console.",
        3,
        _doc(
            {"Action": "ec2:*", "Effect": "Allow", "Resource": "*"},
            _allow("elasticloadbalancing:*"),
            _allow("cloudwatch:*"),
            _allow("autoscaling:*"),
            _spot_role("spot.amazonaws.com", "AWSServiceRoleForEC2Spot*"),
            _spot_role("spotfleet.amazonaws.com", "AWSServiceRoleForEC2Spot*"),
            _spot_role("ec2scheduled.amazonaws.com", "AWSServiceRoleForEC2Scheduled*"),
            _spot_role(
                "elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing"
            ),
        ),
    ),
    "AmazonEC2ReadOnlyAccess": (
        "Provides read only access to Amazon EC2 via the AWS Management Console.",
        1,
        _doc(
            _allow("ec2:Describe*"),
            _allow("elasticloadbalancing:Describe*"),
            _allow(
                ["cloudwatch:ListMetrics", "cloudwatch:GetMetricStatistics", "cloudwatch:Describe*"]
            ),
            _allow("autoscaling:Describe*"),
        ),
    ),
    "AmazonRoute53FullAccess": (
        "Provides full access to all Amazon Route 53 via the AWS Management Console.",
        8,
        _doc(
            _allow(_ROUTE53_FULL),
            _allow("apigateway:GET", "arn:aws:apigateway:*::/domainnames"),
            _allow(
                ["iam:CreateServiceLinkedRole"],
                Condition={
                    "StringEquals": {"iam:AWSServiceName": "route53healthchecks.amazonaws.com"}
                },
            ),
        ),
    ),
}

# AWS published most of these on 2015-02-06; one date keeps them stable across restarts.
_CREATED = datetime(2015, 2, 6, 18, 39, 46, tzinfo=UTC)
_UPDATED = datetime(2024, 1, 1, tzinfo=UTC)
# AdministratorAccess's real id; the others are derived from the name, stable everywhere.
_KNOWN_IDS = {"AdministratorAccess": "ANPAIWMBCKSKIEE64ZLYK"}


def _policy_id(name: str) -> str:
    if name in _KNOWN_IDS:
        return _KNOWN_IDS[name]
    digest = base64.b32encode(hashlib.sha256(name.encode()).digest()).decode()
    return "ANPA" + digest[:17]


def is_aws_managed(arn: str) -> bool:
    return arn.startswith(ARN_PREFIX)


def get(arn: str, attachment_count: int = 0) -> ManagedPolicy | None:
    """The AWS managed policy at arn, or None."""
    if not is_aws_managed(arn):
        return None
    name = arn[len(ARN_PREFIX) :]
    entry = _POLICIES.get(name)
    if entry is None:
        return None
    description, version, _ = entry
    return ManagedPolicy(
        policy_id=_policy_id(name),
        account_id=ACCOUNT,
        name=name,
        path="/",
        arn=arn,
        default_version=version,
        created=_CREATED,
        updated=_UPDATED,
        description=description,
        attachment_count=attachment_count,
    )


def all_policies(attachment_counts: dict[str, int]) -> list[ManagedPolicy]:
    policies = (
        get(ARN_PREFIX + name, attachment_counts.get(ARN_PREFIX + name, 0)) for name in _POLICIES
    )
    return [p for p in policies if p is not None]


def default_version(arn: str) -> PolicyVersion | None:
    """The one version Nimbus knows of an AWS managed policy: its default."""
    policy = get(arn)
    if policy is None:
        return None
    return PolicyVersion(policy.default_version, _POLICIES[policy.name][2], _UPDATED, True)
