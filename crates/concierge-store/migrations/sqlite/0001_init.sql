-- Concierge schema, SQLite flavour. Every table holding tenant data carries
-- tenant_id; composite foreign keys on (tenant_id, id) keep references inside
-- one tenant. Timestamps are sqlx chrono text; booking times are Unix
-- microseconds so overlap checks compare integers.

CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, email)
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    label TEXT NOT NULL,
    prefix TEXT NOT NULL UNIQUE,
    key_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE bots (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    active_version INTEGER,
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, id)
);

CREATE TABLE bot_versions (
    tenant_id TEXT NOT NULL,
    bot_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    spec TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (bot_id, version),
    FOREIGN KEY (tenant_id, bot_id) REFERENCES bots(tenant_id, id)
);

CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    name TEXT,
    phone TEXT,
    email TEXT,
    created_at TEXT NOT NULL,
    erased_at TEXT,
    UNIQUE (tenant_id, id)
);
CREATE INDEX customers_phone ON customers (tenant_id, phone);

CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    bot_id TEXT,
    channel TEXT NOT NULL,
    -- The channel's own id for the other party (phone number, chat id), if any.
    external_ref TEXT,
    customer_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('bot', 'waiting_for_human', 'with_human', 'closed')),
    state TEXT NOT NULL,
    last_seq INTEGER NOT NULL DEFAULT 0,
    turns INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, bot_id) REFERENCES bots(tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id)
);
CREATE INDEX conversations_customer ON conversations (tenant_id, customer_id);
CREATE INDEX conversations_external ON conversations (tenant_id, channel, external_ref);

CREATE TABLE conversation_events (
    tenant_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    turn INTEGER NOT NULL,
    event TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (conversation_id, seq),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations(tenant_id, id)
);

CREATE TABLE knowledge_entries (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    tags TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE knowledge_embeddings (
    tenant_id TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    model TEXT NOT NULL,
    dimensions INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (tenant_id, entry_id),
    FOREIGN KEY (tenant_id, entry_id) REFERENCES knowledge_entries(tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE services (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    details TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE staff (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    details TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE schedules (
    tenant_id TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    weekly_hours TEXT NOT NULL,
    PRIMARY KEY (tenant_id, staff_id),
    FOREIGN KEY (tenant_id, staff_id) REFERENCES staff(tenant_id, id)
);

CREATE TABLE bookings (
    id TEXT NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    reference TEXT NOT NULL,
    service_id TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    starts_at_us INTEGER NOT NULL,
    ends_at_us INTEGER NOT NULL,
    -- The time it keeps others out of: start and end widened by buffers.
    blocked_from_us INTEGER NOT NULL,
    blocked_until_us INTEGER NOT NULL,
    -- For a held booking, when the hold lapses (NULL: never).
    held_until_us INTEGER,
    -- Seats of one sitting (same service, same start and end) may share time.
    capacity INTEGER NOT NULL CHECK (capacity >= 1),
    sitting TEXT NOT NULL,
    customer_id TEXT,
    customer_name TEXT NOT NULL,
    customer_phone TEXT,
    customer_email TEXT,
    status TEXT NOT NULL CHECK (status IN ('held', 'confirmed', 'cancelled', 'rescheduled', 'no_show')),
    request_key TEXT,
    -- Reschedules link the old and the new booking both ways.
    rescheduled_from TEXT,
    rescheduled_to TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (starts_at_us < ends_at_us),
    CHECK (blocked_from_us <= starts_at_us AND ends_at_us <= blocked_until_us),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, reference),
    UNIQUE (tenant_id, request_key),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id)
);
CREATE INDEX bookings_staff_time ON bookings (tenant_id, staff_id, blocked_from_us);
CREATE INDEX bookings_customer ON bookings (tenant_id, customer_id);
CREATE INDEX bookings_phone ON bookings (tenant_id, customer_phone);

CREATE TABLE integrations (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    kind TEXT NOT NULL,
    config TEXT NOT NULL,
    credentials_ciphertext BLOB NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, kind)
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    details TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, id);

CREATE TABLE daily_rollups (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    day TEXT NOT NULL,
    metric TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, day, metric)
);
