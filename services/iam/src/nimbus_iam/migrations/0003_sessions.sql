-- Temporary credentials of STS sessions (GetSessionToken, AssumeRole): what the gateway's
-- authorizer needs about a session besides its principal.
ALTER TABLE access_keys
    -- Assumed-role sessions: the role's ARN (arn:aws:iam::ACCOUNT:role/PATH/NAME).
    ADD COLUMN role_arn            text,
    -- Session policy documents: the inline Policy, then the PolicyArns' default versions
    -- as they were at AssumeRole.
    ADD COLUMN session_policies    jsonb NOT NULL DEFAULT '[]',
    -- {"Key": "Value"}: session tags, transitive ones inherited through role chaining included.
    ADD COLUMN session_tags        jsonb NOT NULL DEFAULT '{}',
    -- Keys of session_tags that pass on when this session assumes another role.
    ADD COLUMN transitive_tag_keys jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN source_identity     text;
