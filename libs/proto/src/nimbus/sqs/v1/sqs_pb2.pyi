from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class GetQueueAccessRequest(_message.Message):
    __slots__ = ("account", "region", "name")
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    account: str
    region: str
    name: str
    def __init__(self, account: _Optional[str] = ..., region: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class QueueAccess(_message.Message):
    __slots__ = ("exists", "owner_account", "queue_arn", "policy", "tags")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    EXISTS_FIELD_NUMBER: _ClassVar[int]
    OWNER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_ARN_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    exists: bool
    owner_account: str
    queue_arn: str
    policy: str
    tags: _containers.ScalarMap[str, str]
    def __init__(self, exists: _Optional[bool] = ..., owner_account: _Optional[str] = ..., queue_arn: _Optional[str] = ..., policy: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ...) -> None: ...
