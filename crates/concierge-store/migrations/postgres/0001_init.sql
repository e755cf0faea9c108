-- Concierge schema, PostgreSQL flavour. Every table holding tenant data carries
-- tenant_id; composite foreign keys on (tenant_id, id) keep references inside
-- one tenant, and row-level security (below) is a second wall: each
-- transaction sets `app.tenant_id` and sees only that tenant's rows.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, email)
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    label TEXT NOT NULL,
    prefix TEXT NOT NULL UNIQUE,
    key_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

CREATE TABLE bots (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    active_version INTEGER,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, id)
);

CREATE TABLE bot_versions (
    tenant_id TEXT NOT NULL,
    bot_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    spec JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (bot_id, version),
    FOREIGN KEY (tenant_id, bot_id) REFERENCES bots(tenant_id, id)
);

CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    name TEXT,
    phone TEXT,
    email TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    erased_at TIMESTAMPTZ,
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
    state JSONB NOT NULL,
    last_seq BIGINT NOT NULL DEFAULT 0,
    turns BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, bot_id) REFERENCES bots(tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id)
);
CREATE INDEX conversations_customer ON conversations (tenant_id, customer_id);
CREATE INDEX conversations_external ON conversations (tenant_id, channel, external_ref);

CREATE TABLE conversation_events (
    tenant_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    turn BIGINT NOT NULL,
    event JSONB NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (conversation_id, seq),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations(tenant_id, id)
);

CREATE TABLE knowledge_entries (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    tags JSONB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE knowledge_embeddings (
    tenant_id TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    model TEXT NOT NULL,
    dimensions INTEGER NOT NULL,
    vector BYTEA NOT NULL,
    PRIMARY KEY (tenant_id, entry_id),
    FOREIGN KEY (tenant_id, entry_id) REFERENCES knowledge_entries(tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE services (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    details JSONB NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE staff (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    details JSONB NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE schedules (
    tenant_id TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    weekly_hours JSONB NOT NULL,
    PRIMARY KEY (tenant_id, staff_id),
    FOREIGN KEY (tenant_id, staff_id) REFERENCES staff(tenant_id, id)
);

CREATE TABLE bookings (
    id TEXT NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    reference TEXT NOT NULL,
    service_id TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    -- The time it keeps others out of: start and end widened by buffers.
    blocked_from TIMESTAMPTZ NOT NULL,
    blocked_until TIMESTAMPTZ NOT NULL,
    -- For a held booking, when the hold lapses (NULL: never).
    held_until TIMESTAMPTZ,
    -- Seats of one sitting (same service, same start and end) may share time.
    capacity INTEGER NOT NULL CHECK (capacity >= 1),
    sitting TEXT NOT NULL,
    -- Whether it takes up time: held or confirmed, and cleared by the store
    -- (under the staff member's lock) once a hold has lapsed.
    blocks BOOLEAN NOT NULL,
    customer_id TEXT,
    customer_name TEXT NOT NULL,
    customer_phone TEXT,
    customer_email TEXT,
    status TEXT NOT NULL CHECK (status IN ('held', 'confirmed', 'cancelled', 'rescheduled', 'no_show')),
    request_key TEXT,
    -- Reschedules link the old and the new booking both ways.
    rescheduled_from TEXT,
    rescheduled_to TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CHECK (starts_at < ends_at),
    CHECK (blocked_from <= starts_at AND ends_at <= blocked_until),
    CHECK (NOT blocks OR status IN ('held', 'confirmed')),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, reference),
    UNIQUE (tenant_id, request_key),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id),
    -- No double booking: bookings that take up a staff member's time never
    -- overlap, unless they are seats of one sitting...
    CONSTRAINT bookings_no_overlap EXCLUDE USING gist (
        tenant_id WITH =,
        staff_id WITH =,
        tstzrange(blocked_from, blocked_until, '[)') WITH &&,
        sitting WITH <>
    ) WHERE (blocks),
    -- ... and single-seat bookings never share time at all.
    CONSTRAINT bookings_single_seat EXCLUDE USING gist (
        tenant_id WITH =,
        staff_id WITH =,
        tstzrange(blocked_from, blocked_until, '[)') WITH &&
    ) WHERE (blocks AND capacity = 1)
);
CREATE INDEX bookings_customer ON bookings (tenant_id, customer_id);
CREATE INDEX bookings_phone ON bookings (tenant_id, customer_phone);

CREATE TABLE integrations (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    kind TEXT NOT NULL,
    config JSONB NOT NULL,
    credentials_ciphertext BYTEA NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, kind)
);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    details JSONB NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, id);

CREATE TABLE daily_rollups (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    day DATE NOT NULL,
    metric TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, day, metric)
);

-- Row-level security. FORCE applies the policies to the table owner too, so
-- the application role that ran these migrations cannot bypass them (only
-- superusers and BYPASSRLS roles can; the store refuses to run as those
-- unless told otherwise).
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (id = current_setting('app.tenant_id', true))
    WITH CHECK (id = current_setting('app.tenant_id', true));

-- API keys are found by their public prefix before the tenant is known.
CREATE POLICY api_key_lookup ON api_keys FOR SELECT
    USING (prefix = current_setting('app.api_key_prefix', true));

DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'users', 'api_keys', 'bots', 'bot_versions', 'customers', 'conversations',
        'conversation_events', 'knowledge_entries', 'knowledge_embeddings', 'services',
        'staff', 'schedules', 'bookings', 'integrations', 'audit_log', 'daily_rollups'
    ] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I '
            'USING (tenant_id = current_setting(''app.tenant_id'', true)) '
            'WITH CHECK (tenant_id = current_setting(''app.tenant_id'', true))', t);
    END LOOP;
END
$$;
