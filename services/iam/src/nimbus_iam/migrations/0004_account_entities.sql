-- Login profiles (console passwords), account aliases and instance profiles.
CREATE TABLE login_profiles (
    user_id                 text        PRIMARY KEY REFERENCES principals (principal_id),
    -- PBKDF2-SHA256 of the password (never returned by any operation).
    password_hash           text        NOT NULL,
    password_reset_required boolean     NOT NULL DEFAULT false,
    created_at              timestamptz NOT NULL DEFAULT now()
);

-- One alias per account (the primary key), unique across all accounts.
CREATE TABLE account_aliases (
    account_id text        PRIMARY KEY REFERENCES accounts (account_id),
    alias      text        NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE instance_profiles (
    -- AIPA... : 4 letters + 17 characters.
    profile_id text        PRIMARY KEY,
    account_id text        NOT NULL REFERENCES accounts (account_id),
    name       text        NOT NULL,
    path       text        NOT NULL,
    arn        text        NOT NULL UNIQUE,
    tags       jsonb       NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX instance_profiles_by_name ON instance_profiles (account_id, lower(name));

-- AWS allows one role per instance profile; the table does not (the quota is checked in code).
CREATE TABLE instance_profile_roles (
    profile_id text        NOT NULL REFERENCES instance_profiles (profile_id) ON DELETE CASCADE,
    role_id    text        NOT NULL REFERENCES principals (principal_id),
    added_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (profile_id, role_id)
);
CREATE INDEX instance_profile_roles_by_role ON instance_profile_roles (role_id);
