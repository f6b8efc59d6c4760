from nimbus.common.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InvokeRequest(_message.Message):
    __slots__ = ("operation", "input_json", "context")
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    INPUT_JSON_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    operation: str
    input_json: bytes
    context: _common_pb2.RequestContext
    def __init__(self, operation: _Optional[str] = ..., input_json: _Optional[bytes] = ..., context: _Optional[_Union[_common_pb2.RequestContext, _Mapping]] = ...) -> None: ...

class InvokeResponse(_message.Message):
    __slots__ = ("output_json",)
    OUTPUT_JSON_FIELD_NUMBER: _ClassVar[int]
    output_json: bytes
    def __init__(self, output_json: _Optional[bytes] = ...) -> None: ...

class BodyTrailers(_message.Message):
    __slots__ = ("headers",)
    class HeadersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    headers: _containers.ScalarMap[str, str]
    def __init__(self, headers: _Optional[_Mapping[str, str]] = ...) -> None: ...

class InvokeUploadRequest(_message.Message):
    __slots__ = ("head", "body_chunk", "trailers")
    HEAD_FIELD_NUMBER: _ClassVar[int]
    BODY_CHUNK_FIELD_NUMBER: _ClassVar[int]
    TRAILERS_FIELD_NUMBER: _ClassVar[int]
    head: InvokeRequest
    body_chunk: bytes
    trailers: BodyTrailers
    def __init__(self, head: _Optional[_Union[InvokeRequest, _Mapping]] = ..., body_chunk: _Optional[bytes] = ..., trailers: _Optional[_Union[BodyTrailers, _Mapping]] = ...) -> None: ...

class InvokeDownloadResponse(_message.Message):
    __slots__ = ("head", "body_chunk")
    HEAD_FIELD_NUMBER: _ClassVar[int]
    BODY_CHUNK_FIELD_NUMBER: _ClassVar[int]
    head: InvokeResponse
    body_chunk: bytes
    def __init__(self, head: _Optional[_Union[InvokeResponse, _Mapping]] = ..., body_chunk: _Optional[bytes] = ...) -> None: ...
