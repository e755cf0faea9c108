-- Conversation search: PostgreSQL full text over what was said (the
-- customer's messages, the bot's replies, staff messages), with the
-- 'simple' configuration (no stemming, as SQLite's FTS5 index).

CREATE INDEX conversation_events_text ON conversation_events
    USING gin (to_tsvector('simple', coalesce(event ->> 'text', '')));
