-- Tenants created, listed, disabled and erased by the operator
-- (`concierge tenants`), and one-time invitations for their first users.
-- Only the SHA-256 of an invitation is kept.

ALTER TABLE tenants ADD COLUMN timezone TEXT;
ALTER TABLE tenants ADD COLUMN disabled_at TEXT;

CREATE TABLE user_invites (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    token_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id)
);
