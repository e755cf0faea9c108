-- The reference server: publishable (widget) keys. They are public
-- identifiers, stored as given; each names the bot it opens conversations
-- with and the web origins allowed to use it.

CREATE TABLE publishable_keys (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    key TEXT NOT NULL,
    bot_id TEXT NOT NULL,
    allowed_origins JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, key),
    FOREIGN KEY (tenant_id, bot_id) REFERENCES bots(tenant_id, id)
);

ALTER TABLE publishable_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE publishable_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON publishable_keys
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
