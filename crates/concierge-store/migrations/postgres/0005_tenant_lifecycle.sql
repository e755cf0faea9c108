-- Tenants created, listed, disabled and erased by the operator
-- (`concierge tenants`), and one-time invitations for their first users.
-- Only the SHA-256 of an invitation is kept.

ALTER TABLE tenants ADD COLUMN timezone TEXT;
ALTER TABLE tenants ADD COLUMN disabled_at TIMESTAMPTZ;

CREATE TABLE user_invites (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    token_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id)
);
ALTER TABLE user_invites ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_invites FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON user_invites
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

-- The operator's listing of every tenant (names and states only): a
-- transaction that sets `app.operator` sees every row of `tenants`, and
-- nothing of any other table.
CREATE POLICY operator_listing ON tenants FOR SELECT
    USING (current_setting('app.operator', true) = 'on');
