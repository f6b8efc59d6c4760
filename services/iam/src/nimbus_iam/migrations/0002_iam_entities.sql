-- Users, groups and roles (one table: they share ids, names, paths, tags, inline and attached
-- policies and permissions boundaries), group membership, customer managed policies with
-- their versions, and attachments of managed policies (customer or AWS) to principals.
CREATE TABLE principals (
    -- AIDA... (user), AGPA... (group), AROA... (role): 4 letters + 17 characters.
    principal_id             text        PRIMARY KEY,
    account_id               text        NOT NULL REFERENCES accounts (account_id),
    kind                     text        NOT NULL CHECK (kind IN ('user', 'group', 'role')),
    name                     text        NOT NULL,
    path                     text        NOT NULL,
    arn                      text        NOT NULL,
    created_at               timestamptz NOT NULL DEFAULT now(),
    -- [{"Key": ..., "Value": ...}] in the order they were first set.
    tags                     jsonb       NOT NULL DEFAULT '[]',
    permissions_boundary_arn text,
    -- Roles only.
    description              text,
    assume_role_policy       text,
    max_session_duration     integer
);
-- IAM names are unique per account and kind regardless of case.
CREATE UNIQUE INDEX principals_by_name ON principals (account_id, kind, lower(name));
CREATE UNIQUE INDEX principals_by_arn ON principals (arn);

CREATE TABLE group_members (
    group_id text        NOT NULL REFERENCES principals (principal_id),
    user_id  text        NOT NULL REFERENCES principals (principal_id),
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_by_user ON group_members (user_id);

CREATE TABLE inline_policies (
    principal_id text        NOT NULL REFERENCES principals (principal_id),
    name         text        NOT NULL,
    document     text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal_id, name)
);

CREATE TABLE managed_policies (
    policy_id       text        PRIMARY KEY,
    account_id      text        NOT NULL REFERENCES accounts (account_id),
    name            text        NOT NULL,
    path            text        NOT NULL,
    arn             text        NOT NULL UNIQUE,
    description     text,
    default_version integer     NOT NULL DEFAULT 1,
    -- Version numbers are never reused, even after DeletePolicyVersion.
    next_version    integer     NOT NULL DEFAULT 2,
    tags            jsonb       NOT NULL DEFAULT '[]',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX managed_policies_by_name ON managed_policies (account_id, lower(name));

CREATE TABLE policy_versions (
    policy_id  text        NOT NULL REFERENCES managed_policies (policy_id) ON DELETE CASCADE,
    version    integer     NOT NULL,
    document   text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (policy_id, version)
);

-- policy_arn is text, not a reference: AWS managed policies (arn:aws:iam::aws:policy/...)
-- live in code, not in this database.
CREATE TABLE policy_attachments (
    principal_id text        NOT NULL REFERENCES principals (principal_id),
    account_id   text        NOT NULL,
    policy_arn   text        NOT NULL,
    attached_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal_id, policy_arn)
);
CREATE INDEX policy_attachments_by_policy ON policy_attachments (account_id, policy_arn);
