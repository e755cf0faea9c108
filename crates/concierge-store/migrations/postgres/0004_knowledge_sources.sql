-- Knowledge on the server (see src/knowledge.rs).
--
-- Entries remember where they came from (`docs/policies.md#deposits`, or
-- `admin` for entries typed into the admin API) and their other phrasings.
--
-- Sentence embeddings are cached per tenant by a hash of the embedded text:
-- an entry has several vectors (its title, each phrasing, title + answer), so
-- an unchanged text is never embedded again, and a changed entry re-embeds
-- only its changed texts. They replace the per-entry table, whose vectors had
-- no hash to tell a stale one from a fresh one (nothing wrote it).
--
-- `knowledge_revisions` counts changes to a tenant's entries, so a server
-- notices knowledge changed by another process (`concierge kb import`).

ALTER TABLE knowledge_entries ADD COLUMN alternatives JSONB NOT NULL DEFAULT '[]';
ALTER TABLE knowledge_entries ADD COLUMN source TEXT NOT NULL DEFAULT 'admin';

DROP TABLE knowledge_embeddings;

CREATE TABLE knowledge_vectors (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    model TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    dimensions INTEGER NOT NULL,
    vector BYTEA NOT NULL,
    PRIMARY KEY (tenant_id, model, text_hash)
);

CREATE TABLE knowledge_revisions (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),
    revision BIGINT NOT NULL
);

ALTER TABLE knowledge_vectors ENABLE ROW LEVEL SECURITY;
ALTER TABLE knowledge_vectors FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON knowledge_vectors
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE knowledge_revisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE knowledge_revisions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON knowledge_revisions
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
