import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ResolveAccessKeyRequest(_message.Message):
    __slots__ = ("access_key_id",)
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    access_key_id: str
    def __init__(self, access_key_id: _Optional[str] = ...) -> None: ...

class AccessKeyIdentity(_message.Message):
    __slots__ = ("access_key_id", "secret_access_key", "session_token", "account_id", "principal_arn", "user_id", "principal_type", "status", "expiration", "session_policies", "session_tags", "role_arn", "source_identity")
    class SessionTagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SECRET_ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_ARN_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_TYPE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    SESSION_POLICIES_FIELD_NUMBER: _ClassVar[int]
    SESSION_TAGS_FIELD_NUMBER: _ClassVar[int]
    ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    SOURCE_IDENTITY_FIELD_NUMBER: _ClassVar[int]
    access_key_id: str
    secret_access_key: str
    session_token: str
    account_id: str
    principal_arn: str
    user_id: str
    principal_type: str
    status: str
    expiration: _timestamp_pb2.Timestamp
    session_policies: _containers.RepeatedScalarFieldContainer[str]
    session_tags: _containers.ScalarMap[str, str]
    role_arn: str
    source_identity: str
    def __init__(self, access_key_id: _Optional[str] = ..., secret_access_key: _Optional[str] = ..., session_token: _Optional[str] = ..., account_id: _Optional[str] = ..., principal_arn: _Optional[str] = ..., user_id: _Optional[str] = ..., principal_type: _Optional[str] = ..., status: _Optional[str] = ..., expiration: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., session_policies: _Optional[_Iterable[str]] = ..., session_tags: _Optional[_Mapping[str, str]] = ..., role_arn: _Optional[str] = ..., source_identity: _Optional[str] = ...) -> None: ...

class RecordAccessKeyUseRequest(_message.Message):
    __slots__ = ("access_key_id", "service", "region")
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    access_key_id: str
    service: str
    region: str
    def __init__(self, access_key_id: _Optional[str] = ..., service: _Optional[str] = ..., region: _Optional[str] = ...) -> None: ...

class RecordAccessKeyUseResponse(_message.Message):
    __slots__ = ("recorded",)
    RECORDED_FIELD_NUMBER: _ClassVar[int]
    recorded: bool
    def __init__(self, recorded: _Optional[bool] = ...) -> None: ...

class CreateAccountRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class CreateAccountResponse(_message.Message):
    __slots__ = ("account_id", "name", "access_key_id", "secret_access_key")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SECRET_ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    name: str
    access_key_id: str
    secret_access_key: str
    def __init__(self, account_id: _Optional[str] = ..., name: _Optional[str] = ..., access_key_id: _Optional[str] = ..., secret_access_key: _Optional[str] = ...) -> None: ...

class ListAccountsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Account(_message.Message):
    __slots__ = ("account_id", "name", "created")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    name: str
    created: _timestamp_pb2.Timestamp
    def __init__(self, account_id: _Optional[str] = ..., name: _Optional[str] = ..., created: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListAccountsResponse(_message.Message):
    __slots__ = ("accounts",)
    ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    accounts: _containers.RepeatedCompositeFieldContainer[Account]
    def __init__(self, accounts: _Optional[_Iterable[_Union[Account, _Mapping]]] = ...) -> None: ...

class GetPrincipalPoliciesRequest(_message.Message):
    __slots__ = ("principal_arn",)
    PRINCIPAL_ARN_FIELD_NUMBER: _ClassVar[int]
    principal_arn: str
    def __init__(self, principal_arn: _Optional[str] = ...) -> None: ...

class PrincipalPolicy(_message.Message):
    __slots__ = ("kind", "policy_id", "policy_arn", "policy_name", "version_id", "document", "source_arn")
    KIND_FIELD_NUMBER: _ClassVar[int]
    POLICY_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    kind: str
    policy_id: str
    policy_arn: str
    policy_name: str
    version_id: str
    document: str
    source_arn: str
    def __init__(self, kind: _Optional[str] = ..., policy_id: _Optional[str] = ..., policy_arn: _Optional[str] = ..., policy_name: _Optional[str] = ..., version_id: _Optional[str] = ..., document: _Optional[str] = ..., source_arn: _Optional[str] = ...) -> None: ...

class GetPrincipalPoliciesResponse(_message.Message):
    __slots__ = ("account_id", "principal_arn", "principal_type", "principal_id", "identity_policies", "permissions_boundary", "principal_tags")
    class PrincipalTagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_ARN_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_TYPE_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_ID_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_POLICIES_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_BOUNDARY_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_TAGS_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    principal_arn: str
    principal_type: str
    principal_id: str
    identity_policies: _containers.RepeatedCompositeFieldContainer[PrincipalPolicy]
    permissions_boundary: PrincipalPolicy
    principal_tags: _containers.ScalarMap[str, str]
    def __init__(self, account_id: _Optional[str] = ..., principal_arn: _Optional[str] = ..., principal_type: _Optional[str] = ..., principal_id: _Optional[str] = ..., identity_policies: _Optional[_Iterable[_Union[PrincipalPolicy, _Mapping]]] = ..., permissions_boundary: _Optional[_Union[PrincipalPolicy, _Mapping]] = ..., principal_tags: _Optional[_Mapping[str, str]] = ...) -> None: ...
