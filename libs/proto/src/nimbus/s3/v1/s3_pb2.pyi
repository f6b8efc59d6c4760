from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class GetBucketAccessRequest(_message.Message):
    __slots__ = ("bucket",)
    BUCKET_FIELD_NUMBER: _ClassVar[int]
    bucket: str
    def __init__(self, bucket: _Optional[str] = ...) -> None: ...

class BucketAccess(_message.Message):
    __slots__ = ("exists", "owner_account", "region", "policy", "acl_json", "public_access_block_json", "object_ownership", "cors_json", "website_json")
    EXISTS_FIELD_NUMBER: _ClassVar[int]
    OWNER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    ACL_JSON_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_ACCESS_BLOCK_JSON_FIELD_NUMBER: _ClassVar[int]
    OBJECT_OWNERSHIP_FIELD_NUMBER: _ClassVar[int]
    CORS_JSON_FIELD_NUMBER: _ClassVar[int]
    WEBSITE_JSON_FIELD_NUMBER: _ClassVar[int]
    exists: bool
    owner_account: str
    region: str
    policy: str
    acl_json: str
    public_access_block_json: str
    object_ownership: str
    cors_json: str
    website_json: str
    def __init__(self, exists: _Optional[bool] = ..., owner_account: _Optional[str] = ..., region: _Optional[str] = ..., policy: _Optional[str] = ..., acl_json: _Optional[str] = ..., public_access_block_json: _Optional[str] = ..., object_ownership: _Optional[str] = ..., cors_json: _Optional[str] = ..., website_json: _Optional[str] = ...) -> None: ...

class GetObjectAclRequest(_message.Message):
    __slots__ = ("bucket", "key", "version_id")
    BUCKET_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    bucket: str
    key: str
    version_id: str
    def __init__(self, bucket: _Optional[str] = ..., key: _Optional[str] = ..., version_id: _Optional[str] = ...) -> None: ...

class ObjectAcl(_message.Message):
    __slots__ = ("exists", "acl_json", "tags")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    EXISTS_FIELD_NUMBER: _ClassVar[int]
    ACL_JSON_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    exists: bool
    acl_json: str
    tags: _containers.ScalarMap[str, str]
    def __init__(self, exists: _Optional[bool] = ..., acl_json: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ...) -> None: ...
