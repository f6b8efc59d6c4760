-- Multipart bookkeeping: a listing order for uploads, and completed uploads remembered so
-- that a retried CompleteMultipartUpload answers as the first one did (as S3 does).

-- Initiation order within a key (ListMultipartUploads: key, then oldest first).
ALTER TABLE s3_uploads ADD COLUMN seq bigserial;
CREATE INDEX s3_uploads_listing ON s3_uploads (bucket, key, seq);

CREATE TABLE s3_completed_uploads (
    upload_id text PRIMARY KEY,
    bucket text COLLATE "C" NOT NULL REFERENCES s3_buckets (name) ON DELETE CASCADE,
    key text COLLATE "C" NOT NULL,
    -- CompleteMultipartUpload's output, returned again to a retry.
    output jsonb NOT NULL,
    completed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX s3_completed_uploads_by_age ON s3_completed_uploads (completed_at);
