-- The reference server: publishable (widget) keys. They are public
-- identifiers, stored as given; each names the bot it opens conversations
-- with and the web origins allowed to use it (a JSON array).

CREATE TABLE publishable_keys (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    key TEXT NOT NULL,
    bot_id TEXT NOT NULL,
    allowed_origins TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, key),
    FOREIGN KEY (tenant_id, bot_id) REFERENCES bots(tenant_id, id)
);
