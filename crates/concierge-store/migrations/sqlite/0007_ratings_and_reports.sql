-- Customer satisfaction (CSAT): at most one rating per conversation, 1 to 5
-- with an optional comment, given after the conversation ends. And indexes
-- for the analytics report, which reads conversations by creation time and
-- events by recording time.

CREATE TABLE conversation_ratings (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    conversation_id TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations(tenant_id, id)
);

CREATE INDEX conversations_created ON conversations (tenant_id, created_at);
CREATE INDEX conversation_events_recorded ON conversation_events (tenant_id, recorded_at);
