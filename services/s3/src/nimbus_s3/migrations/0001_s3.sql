-- S3 metadata and object bytes. Keys and bucket names use COLLATE "C": S3 lists in UTF-8
-- byte order, which for UTF-8 text is code point order, which is what "C" compares.

CREATE TABLE s3_buckets (
    name text COLLATE "C" PRIMARY KEY,
    account_id text NOT NULL,
    region text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- '' (never enabled), 'Enabled' or 'Suspended'.
    versioning text NOT NULL DEFAULT '',
    mfa_delete text NOT NULL DEFAULT '',
    object_lock_enabled boolean NOT NULL DEFAULT false,
    -- BucketOwnerEnforced (AWS's default since 2023: ACLs off), BucketOwnerPreferred, ObjectWriter.
    object_ownership text NOT NULL DEFAULT 'BucketOwnerEnforced',
    -- {"owner": account id, "grants": [{"grantee": {...}, "permission": "READ"}]}
    acl jsonb NOT NULL
);
CREATE INDEX s3_buckets_by_account ON s3_buckets (account_id, name);

-- One row per bucket sub-resource that is set: policy, cors, lifecycle, tagging, encryption,
-- website, notification, accelerate, request_payment, logging, public_access_block,
-- object_lock, ... The document is the operation's input shape as JSON (what Get* returns).
CREATE TABLE s3_bucket_configs (
    bucket text COLLATE "C" NOT NULL REFERENCES s3_buckets (name) ON DELETE CASCADE,
    kind text NOT NULL,
    document jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bucket, kind)
);

-- Object bytes: a blob is immutable once complete and may back several versions (copies).
-- Chunks are written as they stream in; a blob nobody references is garbage-collected.
CREATE TABLE s3_blobs (
    id uuid PRIMARY KEY,
    -- 'writing' while the upload streams, 'complete' once every chunk is in.
    state text NOT NULL DEFAULT 'writing',
    size bigint NOT NULL DEFAULT 0,
    chunk_size integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- Set by the collector the first time it finds the blob unreferenced; deleted on a later
    -- pass if still unreferenced, so that a download already streaming it can finish.
    orphaned_at timestamptz
);
CREATE INDEX s3_blobs_by_age ON s3_blobs (created_at);

CREATE TABLE s3_blob_chunks (
    blob_id uuid NOT NULL REFERENCES s3_blobs (id) ON DELETE CASCADE,
    seq integer NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (blob_id, seq)
);
-- Object bytes are mostly incompressible: store them out of line without trying pglz.
ALTER TABLE s3_blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- Every object version, including delete markers. The null version has version_id 'null'.
CREATE TABLE s3_objects (
    bucket text COLLATE "C" NOT NULL REFERENCES s3_buckets (name),
    key text COLLATE "C" NOT NULL,
    version_id text NOT NULL,
    -- Order of versions of one key (newest highest); also the event sequencer.
    seq bigserial NOT NULL,
    is_latest boolean NOT NULL,
    delete_marker boolean NOT NULL DEFAULT false,
    last_modified timestamptz NOT NULL DEFAULT now(),
    size bigint NOT NULL DEFAULT 0,
    etag text NOT NULL DEFAULT '',
    -- The bytes, in order: one blob for a PUT, one per part for a multipart upload.
    blob_ids uuid[] NOT NULL DEFAULT '{}',
    -- Sizes of the parts for multipart objects (partNumber reads, GetObjectAttributes).
    part_sizes bigint[],
    -- Per-part checksums/etags of a multipart object: [{"PartNumber", "Size", "ChecksumCRC32"...}]
    parts jsonb,
    owner_account text NOT NULL,
    storage_class text NOT NULL DEFAULT 'STANDARD',
    -- x-amz-meta-* (lower-cased names, as S3 returns them).
    metadata jsonb NOT NULL DEFAULT '{}',
    -- System headers as input members: ContentType, ContentEncoding, ContentDisposition,
    -- ContentLanguage, CacheControl, Expires, WebsiteRedirectLocation.
    headers jsonb NOT NULL DEFAULT '{}',
    -- {"algorithm": "CRC32", "value": "<base64>", "type": "FULL_OBJECT"|"COMPOSITE"}
    checksum jsonb,
    -- ServerSideEncryption, SSECustomerAlgorithm, SSECustomerKeyMD5, SSEKMSKeyId, BucketKeyEnabled
    encryption jsonb NOT NULL DEFAULT '{}',
    tags jsonb NOT NULL DEFAULT '{}',
    acl jsonb,
    lock_mode text,
    lock_retain_until timestamptz,
    legal_hold boolean NOT NULL DEFAULT false,
    PRIMARY KEY (bucket, key, version_id)
);
-- ListObjects(V2): the current, non-deleted version of each key, in key order.
CREATE INDEX s3_objects_current ON s3_objects (bucket, key) WHERE is_latest AND NOT delete_marker;
-- ListObjectVersions and "the latest version of a key": newest first within a key.
CREATE INDEX s3_objects_versions ON s3_objects (bucket, key, seq DESC);
-- The blob collector: is a blob still referenced by any version?
CREATE INDEX s3_objects_blobs ON s3_objects USING gin (blob_ids);

CREATE TABLE s3_uploads (
    upload_id text PRIMARY KEY,
    bucket text COLLATE "C" NOT NULL REFERENCES s3_buckets (name) ON DELETE CASCADE,
    key text COLLATE "C" NOT NULL,
    initiated_at timestamptz NOT NULL DEFAULT now(),
    owner_account text NOT NULL,
    initiator_arn text NOT NULL,
    storage_class text NOT NULL DEFAULT 'STANDARD',
    metadata jsonb NOT NULL DEFAULT '{}',
    headers jsonb NOT NULL DEFAULT '{}',
    -- {"algorithm": "CRC32", "type": "COMPOSITE"|"FULL_OBJECT"} when the upload declared one.
    checksum jsonb,
    encryption jsonb NOT NULL DEFAULT '{}',
    tags jsonb NOT NULL DEFAULT '{}',
    acl jsonb,
    lock_mode text,
    lock_retain_until timestamptz,
    legal_hold boolean NOT NULL DEFAULT false
);
CREATE INDEX s3_uploads_by_key ON s3_uploads (bucket, key, initiated_at);

CREATE TABLE s3_parts (
    upload_id text NOT NULL REFERENCES s3_uploads (upload_id) ON DELETE CASCADE,
    part_number integer NOT NULL,
    blob_id uuid NOT NULL,
    size bigint NOT NULL,
    etag text NOT NULL,
    -- {"algorithm": "CRC32", "value": "<base64>"} when the part carried a checksum.
    checksum jsonb,
    last_modified timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (upload_id, part_number)
);
CREATE INDEX s3_parts_by_blob ON s3_parts (blob_id);

-- Lifecycle bookkeeping: when the reconciler last finished a bucket (any replica may run it).
CREATE TABLE s3_lifecycle_runs (
    bucket text COLLATE "C" PRIMARY KEY REFERENCES s3_buckets (name) ON DELETE CASCADE,
    last_run timestamptz NOT NULL
);
