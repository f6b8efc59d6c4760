-- Whether a legal hold was ever placed on a version (PutObjectLegalHold): S3 answers
-- GetObjectLegalHold with NoSuchObjectLockConfiguration for a version that never had one.
ALTER TABLE s3_objects ADD COLUMN legal_hold_set boolean NOT NULL DEFAULT false;
