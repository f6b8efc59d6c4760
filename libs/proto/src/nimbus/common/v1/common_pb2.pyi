from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class RequestContext(_message.Message):
    __slots__ = ("request_id", "account_id", "region", "principal_arn", "source_ip", "trace_context", "access_key_id", "service", "endpoint_host", "user_id", "api")
    class TraceContextEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_ARN_FIELD_NUMBER: _ClassVar[int]
    SOURCE_IP_FIELD_NUMBER: _ClassVar[int]
    TRACE_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    ENDPOINT_HOST_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    API_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    account_id: str
    region: str
    principal_arn: str
    source_ip: str
    trace_context: _containers.ScalarMap[str, str]
    access_key_id: str
    service: str
    endpoint_host: str
    user_id: str
    api: str
    def __init__(self, request_id: _Optional[str] = ..., account_id: _Optional[str] = ..., region: _Optional[str] = ..., principal_arn: _Optional[str] = ..., source_ip: _Optional[str] = ..., trace_context: _Optional[_Mapping[str, str]] = ..., access_key_id: _Optional[str] = ..., service: _Optional[str] = ..., endpoint_host: _Optional[str] = ..., user_id: _Optional[str] = ..., api: _Optional[str] = ...) -> None: ...

class AwsError(_message.Message):
    __slots__ = ("code", "message", "http_status", "sender_fault", "extra_json")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    HTTP_STATUS_FIELD_NUMBER: _ClassVar[int]
    SENDER_FAULT_FIELD_NUMBER: _ClassVar[int]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    http_status: int
    sender_fault: bool
    extra_json: bytes
    def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ..., http_status: _Optional[int] = ..., sender_fault: _Optional[bool] = ..., extra_json: _Optional[bytes] = ...) -> None: ...
