-- Staff sessions: refresh tokens in families (see src/refresh_token.rs).
-- Only the SHA-256 of a token is kept.

CREATE UNIQUE INDEX users_tenant_id_id ON users (tenant_id, id);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL,
    family_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    revoked_at TEXT,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id)
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (tenant_id, family_id);

CREATE INDEX conversations_by_update ON conversations (tenant_id, updated_at);
