-- Accounts and the access keys of their principals. Only root keys exist so far; users,
-- assumed-role sessions and federated users fit the same table when they come.
CREATE TABLE accounts (
    account_id text        PRIMARY KEY CHECK (account_id ~ '^[0-9]{12}$'),
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The secret is kept in the clear on purpose: SigV4 verification needs it (an HMAC key).
CREATE TABLE access_keys (
    -- AKIA... (long-term) or ASIA... (temporary); a configured bootstrap key may be any
    -- short token such as the SDKs' local "test".
    access_key_id     text        PRIMARY KEY CHECK (length(access_key_id) BETWEEN 1 AND 128),
    secret_access_key text        NOT NULL,
    account_id        text        NOT NULL REFERENCES accounts (account_id),
    principal_type    text        NOT NULL
        CHECK (principal_type IN ('root', 'user', 'assumed_role', 'federated_user')),
    principal_arn     text        NOT NULL,
    -- What GetCallerIdentity reports as UserId (account id, AIDA..., AROA...:session).
    user_id           text        NOT NULL,
    status            text        NOT NULL DEFAULT 'Active'
        CHECK (status IN ('Active', 'Inactive')),
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_used_at      timestamptz,
    last_used_service text,
    last_used_region  text,
    -- Temporary credentials only: both set, or neither.
    session_token     text,
    expires_at        timestamptz,
    CHECK ((session_token IS NULL) = (expires_at IS NULL))
);

-- ListAccessKeys and friends look a principal's keys up.
CREATE INDEX access_keys_by_principal ON access_keys (account_id, principal_arn);
-- Expired temporary keys are swept by expiry.
CREATE INDEX access_keys_by_expiry ON access_keys (expires_at) WHERE expires_at IS NOT NULL;
