-- Conversation search: an FTS5 index over what was said (the customer's
-- messages, the bot's replies, staff messages), kept by triggers on the
-- event log, one row per event under the event's rowid.

CREATE VIRTUAL TABLE conversation_text USING fts5(
    body,
    tenant_id UNINDEXED,
    conversation_id UNINDEXED,
    seq UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO conversation_text (rowid, body, tenant_id, conversation_id, seq)
SELECT rowid, event ->> 'text', tenant_id, conversation_id, seq FROM conversation_events
WHERE event ->> 'type' IN ('user_message', 'reply', 'agent_message') AND event ->> 'text' IS NOT NULL;

CREATE TRIGGER conversation_text_insert AFTER INSERT ON conversation_events
WHEN new.event ->> 'type' IN ('user_message', 'reply', 'agent_message') AND new.event ->> 'text' IS NOT NULL
BEGIN
    INSERT INTO conversation_text (rowid, body, tenant_id, conversation_id, seq)
    VALUES (new.rowid, new.event ->> 'text', new.tenant_id, new.conversation_id, new.seq);
END;

-- An event rewritten (a customer's erasure redacts the text) is indexed again.
CREATE TRIGGER conversation_text_update AFTER UPDATE OF event ON conversation_events
BEGIN
    DELETE FROM conversation_text WHERE rowid = old.rowid;
    INSERT INTO conversation_text (rowid, body, tenant_id, conversation_id, seq)
    SELECT new.rowid, new.event ->> 'text', new.tenant_id, new.conversation_id, new.seq
    WHERE new.event ->> 'type' IN ('user_message', 'reply', 'agent_message') AND new.event ->> 'text' IS NOT NULL;
END;

CREATE TRIGGER conversation_text_delete AFTER DELETE ON conversation_events
BEGIN
    DELETE FROM conversation_text WHERE rowid = old.rowid;
END;
