"""Queue attribute rules: names, limits, defaults, redrive policies, rendering, tags."""

from __future__ import annotations

import json

import pytest
from nimbus_core.errors import AwsError
from nimbus_sqs import attributes, redrive
from nimbus_sqs import tags as queue_tags
from nimbus_sqs.model import QueueCounts, QueueRecord

DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:dlq"


def error(call: object, *args: object, **kwargs: object) -> tuple[str, str, int]:
    with pytest.raises(AwsError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value.code, caught.value.message, caught.value.http_status


def queue(fifo: bool = False, **attrs: str) -> QueueRecord:
    name = "q.fifo" if fifo else "q"
    return QueueRecord(
        queue_id="00000000-0000-0000-0000-000000000001",
        account="123456789012",
        region="us-east-1",
        name=name,
        fifo=fifo,
        attributes={**attributes.initial_attributes(fifo), **attrs},
        tags={},
        created_at=1700000000.9,
        modified_at=1700000100.2,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DelaySeconds", "901"),
        ("DelaySeconds", "-1"),
        ("DelaySeconds", " 6"),
        ("DelaySeconds", "5.5"),
        ("DelaySeconds", ""),
        ("MaximumMessageSize", "1023"),
        ("MaximumMessageSize", "1048577"),
        ("MessageRetentionPeriod", "59"),
        ("MessageRetentionPeriod", "1209601"),
        ("ReceiveMessageWaitTimeSeconds", "21"),
        ("VisibilityTimeout", "43201"),
        ("KmsDataKeyReusePeriodSeconds", "59"),
        ("KmsDataKeyReusePeriodSeconds", "86401"),
        ("SqsManagedSseEnabled", "yes"),
    ],
)
def test_out_of_range_values_are_invalid_attribute_values(name: str, value: str) -> None:
    assert error(attributes.validate_changes, {name: value}, fifo=False, creating=True) == (
        "InvalidAttributeValue",
        f"Invalid value for the parameter {name}.",
        400,
    )


def test_limits_are_inclusive_and_values_normalized() -> None:
    changes = {
        "DelaySeconds": "900",
        "MaximumMessageSize": "1024",
        "MessageRetentionPeriod": "60",
        "ReceiveMessageWaitTimeSeconds": "20",
        "VisibilityTimeout": "0",
        "KmsDataKeyReusePeriodSeconds": "86400",
        "SqsManagedSseEnabled": "FALSE",
    }
    normalized = attributes.validate_changes(changes, fifo=False, creating=True)
    assert normalized == {**changes, "SqsManagedSseEnabled": "false"}


def test_defaults_of_a_new_queue() -> None:
    standard = attributes.initial_attributes(False)
    assert standard == {
        "DelaySeconds": "0",
        "MaximumMessageSize": "1048576",
        "MessageRetentionPeriod": "345600",
        "ReceiveMessageWaitTimeSeconds": "0",
        "VisibilityTimeout": "30",
        "SqsManagedSseEnabled": "true",
        "KmsDataKeyReusePeriodSeconds": "300",
    }
    fifo = attributes.initial_attributes(True)
    assert fifo["FifoQueue"] == "true"
    assert fifo["DeduplicationScope"] == "queue"
    assert fifo["FifoThroughputLimit"] == "perQueue"
    assert fifo["ContentBasedDeduplication"] == "false"


def test_unknown_and_read_only_names_are_invalid_attribute_names() -> None:
    for name in ("Bogus", "QueueArn", "ApproximateNumberOfMessages", "CreatedTimestamp"):
        assert error(attributes.validate_changes, {name: "1"}, fifo=False, creating=True) == (
            "InvalidAttributeName",
            f"Unknown Attribute {name}.",
            400,
        )


def test_fifo_only_attributes_on_a_standard_queue() -> None:
    for name in ("FifoQueue", "ContentBasedDeduplication"):
        assert error(attributes.check_names, {name: "true"}, False)[:2] == (
            "InvalidAttributeName",
            f"Unknown Attribute {name}.",
        )
    for name, value in (("DeduplicationScope", "queue"), ("FifoThroughputLimit", "perQueue")):
        assert error(attributes.check_names, {name: value}, False)[:2] == (
            "InvalidAttributeName",
            f"You can specify the {name} only when FifoQueue is set to true.",
        )


def test_queue_type_comes_from_name_and_fifo_attribute_together() -> None:
    assert attributes.is_fifo_request("a.fifo", {"FifoQueue": "true"})
    assert not attributes.is_fifo_request("a.fifo", {})
    assert not attributes.is_fifo_request("a", {"FifoQueue": "true"})
    # A .fifo name without FifoQueue=true is a standard queue, and its dot is not allowed.
    assert error(attributes.check_queue_name, "a.fifo", False)[:2] == (
        "InvalidParameterValue",
        "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
    )


def test_queue_name_rules() -> None:
    attributes.check_queue_name("a" * 80, False)
    attributes.check_queue_name("a" * 75 + ".fifo", True)
    attributes.check_queue_name("Az09_-", False)
    for bad in ("a" * 81, "with space", "ümlaut", "dot.ted"):
        assert error(attributes.check_queue_name, bad, False)[0] == "InvalidParameterValue"
    assert error(attributes.check_queue_name, "a" * 76 + ".fifo", True)[1].startswith(
        "The name of a FIFO queue can only include"
    )
    assert error(attributes.check_queue_name, ".fifo", True)[0] == "InvalidParameterValue"
    assert error(attributes.validate_queue_name, None)[1] == (
        "Value for parameter QueueName is invalid. Reason: Must specify a queue name."
    )


def test_fifo_queue_type_cannot_change() -> None:
    assert error(attributes.validate_changes, {"FifoQueue": "false"}, fifo=True, creating=False)[
        :2
    ] == (
        "InvalidAttributeValue",
        "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.",
    )
    assert attributes.validate_changes({"FifoQueue": "TRUE"}, fifo=True, creating=False) == {
        "FifoQueue": "true"
    }


def test_high_throughput_needs_message_group_deduplication() -> None:
    current = attributes.initial_attributes(True)
    changes = attributes.validate_changes(
        {"FifoThroughputLimit": "perMessageGroupId"}, fifo=True, creating=True
    )
    assert error(attributes.merge, current, changes)[:2] == (
        "InvalidAttributeValue",
        "Invalid value for the parameter FifoThroughputLimit. Reason: To set "
        "FifoThroughputLimit to perMessageGroupId, the DeduplicationScope must be messageGroup.",
    )
    both = {"FifoThroughputLimit": "perMessageGroupId", "DeduplicationScope": "messageGroup"}
    merged = attributes.merge(current, attributes.validate_changes(both, fifo=True, creating=True))
    assert merged["FifoThroughputLimit"] == "perMessageGroupId"
    assert (
        error(
            attributes.validate_changes,
            {"DeduplicationScope": "messageQueue"},
            fifo=True,
            creating=True,
        )[0]
        == "InvalidAttributeValue"
    )


def test_server_side_encryption_kinds_exclude_each_other() -> None:
    assert error(
        attributes.validate_changes,
        {"SqsManagedSseEnabled": "true", "KmsMasterKeyId": "alias/aws/sqs"},
        fifo=False,
        creating=True,
    )[:2] == (
        "InvalidAttributeName",
        "You can use one type of server-side encryption (SSE) at one time. You can either enable "
        "KMS SSE or SQS SSE.",
    )
    kms = attributes.merge(attributes.initial_attributes(False), {"KmsMasterKeyId": "alias/k"})
    assert kms["SqsManagedSseEnabled"] == "false"
    back = attributes.merge(kms, {"SqsManagedSseEnabled": "true"})
    assert "KmsMasterKeyId" not in back
    assert attributes.merge(kms, {"KmsMasterKeyId": ""}).get("KmsMasterKeyId") is None


def test_redrive_policy_messages_in_aws_order() -> None:
    def reason(raw: str) -> str:
        return error(redrive.parse_redrive_policy, raw)[1]

    assert error(redrive.parse_redrive_policy, " ")[:2] == (
        "InvalidAttributeValue",
        "Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid "
        "JSON map.",
    )
    assert reason("{}") == (
        "Value {} for parameter RedrivePolicy is invalid. Reason: Redrive policy does not "
        "contain mandatory attribute: maxReceiveCount."
    )
    no_arn = json.dumps({"maxReceiveCount": 5}, separators=(",", ":"))
    assert reason(no_arn).endswith("mandatory attribute: deadLetterTargetArn.")
    extra = json.dumps({"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": 5, "x": 1})
    assert reason(extra).endswith(
        "Only following attributes are supported: [maxReceiveCount, deadLetterTargetArn]."
    )
    for count in (0, 1001, -36, "many"):
        raw = json.dumps({"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": count})
        assert (
            f"Reason: Invalid value for maxReceiveCount: {count}, valid values are from 1 to "
            "1000 both inclusive." in reason(raw)
        )
    sns = json.dumps({"deadLetterTargetArn": "arn:aws:sns:us-east-1:1:t", "maxReceiveCount": 3})
    assert reason(sns).endswith("Only SQS queues are valid resources for deadLetterTargetArn.")
    parsed = redrive.parse_redrive_policy(
        json.dumps({"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": "7"})
    )
    assert (parsed.arn, parsed.account, parsed.region, parsed.name, parsed.max_receive_count) == (
        DLQ_ARN,
        "123456789012",
        "us-east-1",
        "dlq",
        7,
    )


def test_dead_letter_target_checks() -> None:
    raw = json.dumps({"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": 3})
    source = redrive.new_source("123456789012", "us-east-1", "src", False)
    assert error(redrive.check_dead_letter_target, raw, source, None)[1].endswith(
        "Reason: Dead letter target does not exist."
    )
    fifo_target = queue(True)
    assert error(redrive.check_dead_letter_target, raw, source, fifo_target)[1].endswith(
        "Reason: Dead-letter queue must be same type of queue as the source.."
    )
    other_owner = redrive.new_source("210987654321", "us-east-1", "src", False)
    assert error(redrive.check_dead_letter_target, raw, other_owner, queue())[1].endswith(
        "Reason: Dead-letter target owner should be same as the source."
    )
    redrive.check_dead_letter_target(raw, source, queue())
    elsewhere = redrive.new_source("123456789012", "eu-west-1", "src", False)
    assert error(redrive.check_dead_letter_target, raw, elsewhere, queue())[1].endswith(
        "Reason: Dead letter target does not exist."
    )
    deny = queue(RedriveAllowPolicy=json.dumps({"redrivePermission": "denyAll"}))
    assert error(redrive.check_dead_letter_target, raw, source, deny)[0] == (
        "InvalidParameterValue"
    )
    by_queue = queue(
        RedriveAllowPolicy=json.dumps(
            {"redrivePermission": "byQueue", "sourceQueueArns": [source.arn]}
        )
    )
    redrive.check_dead_letter_target(raw, source, by_queue)


def test_redrive_allow_policy_rules() -> None:
    unsupported = (
        "InvalidAttributeValue",
        "Invalid value for the parameter RedriveAllowPolicy. Reason: Amazon SQS can't create the "
        "redrive allow policy, as it\u2019s in an unsupported format.",
    )
    for raw in (
        "badjson",
        "[]",
        "{}",
        '{"redrivePermission":"dummy"}',
        '{"redrivePermission":"allowAll","dummy":"v"}',
        '{"redrivePermission":"byQueue","sourceQueueArns":"arn"}',
    ):
        assert error(redrive.parse_redrive_allow_policy, raw)[:2] == unsupported
    no_arns = '{"redrivePermission":"byQueue"}'
    assert error(redrive.parse_redrive_allow_policy, no_arns)[1] == (
        f"Value {no_arns} for parameter RedriveAllowPolicy is invalid. Reason: Amazon SQS can't "
        "create the redrive allow policy. When you specify the byQueue permission type, you must "
        "also specify one or more sourceQueueArns values."
    )
    eleven = json.dumps(
        {"redrivePermission": "byQueue", "sourceQueueArns": [f"{DLQ_ARN}{i}" for i in range(11)]}
    )
    assert error(redrive.parse_redrive_allow_policy, eleven)[1].endswith(
        "The maximum number of source queue ARNs you can specify is 10."
    )
    allow_with_arns = json.dumps({"redrivePermission": "allowAll", "sourceQueueArns": [DLQ_ARN]})
    assert error(redrive.parse_redrive_allow_policy, allow_with_arns)[1].endswith(
        "To specify one or more source queue ARNs, you must set redrivePermission to byQueue."
    )
    assert redrive.redrive_allowed('{"redrivePermission":"allowAll"}', DLQ_ARN)
    assert not redrive.redrive_allowed('{"redrivePermission":"denyAll"}', DLQ_ARN)


def test_policy_validation() -> None:
    good = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": ["123456789012"]},
                    "Action": "sqs:SendMessage",
                    "Resource": "arn:aws:sqs:us-east-1:123456789012:q",
                }
            ],
        }
    )
    attributes.validate_policy(good, creating=True)
    for bad in (
        "badjson",
        "[]",
        '"s"',
        "533",
        "null",
        '{"Version":"2012-10-17","Statement":[]}',
        '{"Version":"4532-10-17","Statement":{"Effect":"Allow","Principal":"*",'
        '"Action":"sqs:*","Resource":"*"}}',
    ):
        assert error(attributes.validate_policy, bad, creating=True)[:2] == (
            "InvalidAttributeValue",
            "Invalid value for the parameter Policy.",
        )
    statement = {"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"}
    many = json.dumps({"Version": "2012-10-17", "Statement": [statement] * 22})
    message = "22 statements were found in the submitted policy, max allowed is 20"
    assert error(attributes.validate_policy, many, creating=True) == (
        "InvalidParameterValue",
        message,
        400,
    )
    assert error(attributes.validate_policy, many, creating=False) == ("OverLimit", message, 403)


def test_idempotent_create_compares_requested_attributes_only() -> None:
    current = attributes.initial_attributes(False)
    assert attributes.differing(current, {"VisibilityTimeout": "30"}) is None
    assert attributes.differing(current, {"Policy": ""}) is None
    assert attributes.differing(current, {"DelaySeconds": "5"}) == "DelaySeconds"


def test_render_all_and_selected() -> None:
    counts = QueueCounts(visible=3, not_visible=2, delayed=1)
    standard = queue()
    shown = attributes.render(standard, ["All"], counts)
    assert shown == {
        "QueueArn": "arn:aws:sqs:us-east-1:123456789012:q",
        "ApproximateNumberOfMessages": "3",
        "ApproximateNumberOfMessagesNotVisible": "2",
        "ApproximateNumberOfMessagesDelayed": "1",
        "CreatedTimestamp": "1700000000",
        "LastModifiedTimestamp": "1700000100",
        "VisibilityTimeout": "30",
        "MaximumMessageSize": "1048576",
        "MessageRetentionPeriod": "345600",
        "DelaySeconds": "0",
        "ReceiveMessageWaitTimeSeconds": "0",
        "SqsManagedSseEnabled": "true",
    }
    assert attributes.render(standard, ["VisibilityTimeout", "Policy", "FifoQueue"], None) == {
        "VisibilityTimeout": "30"
    }
    kms = queue(KmsMasterKeyId="alias/k", SqsManagedSseEnabled="false")
    assert attributes.render(kms, ["All"], None)["KmsDataKeyReusePeriodSeconds"] == "300"
    fifo = attributes.render(queue(True), ["All"], None)
    assert fifo["FifoQueue"] == "true" and fifo["DeduplicationScope"] == "queue"
    assert attributes.needs_counts(["ApproximateNumberOfMessagesDelayed"])
    assert not attributes.needs_counts(["QueueArn"])
    assert error(attributes.requested_names, ["QueueArn", "Nope"])[:2] == (
        "InvalidAttributeName",
        "Unknown Attribute Nope.",
    )


def test_tag_rules() -> None:
    assert queue_tags.validate_tags({"env": "prod", "k e:y/=+-@_.": ""}, required=True) == {
        "env": "prod",
        "k e:y/=+-@_.": "",
    }
    assert error(queue_tags.validate_tags, {}, required=True)[:2] == (
        "MissingParameter",
        "The request must contain the parameter Tags.",
    )
    assert error(queue_tags.validate_tags, {"k" * 129: "v"}, required=True)[1] == (
        "Tag keys must be between 1 and 128 characters in length."
    )
    assert error(queue_tags.validate_tags, {"k": "v" * 257}, required=True)[0] == (
        "InvalidParameterValue"
    )
    assert error(queue_tags.validate_tags, {"k": "a|b"}, required=True)[1].startswith(
        "Tag values may only contain unicode letters"
    )
    assert error(queue_tags.validate_tags, {"aws:x": "v"}, required=True)[0] == (
        "InvalidParameterValue"
    )
    assert error(queue_tags.check_tag_count, "q", {str(i): "" for i in range(51)})[1] == (
        "Too many tags added for queue q."
    )
    queue_tags.check_tag_count("q", {str(i): "" for i in range(50)})
    assert error(queue_tags.validate_tag_keys, [])[1] == (
        "Tag keys must be between 1 and 128 characters in length."
    )
