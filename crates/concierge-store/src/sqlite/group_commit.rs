//! Group commit of conversation turns.
//!
//! With full durability every SQLite commit waits for a disk flush, and a disk
//! flushes a few hundred to a few thousand times a second, so one commit per
//! turn would cap a whole server's message rate at the disk's flush rate.
//! Turns are queued instead, and one writer task stores every queued turn in a
//! single transaction (a turn that conflicts writes nothing and does not
//! disturb the others), then commits once and answers every caller: one flush
//! for many turns. A turn still returns only after its commit is on disk, and
//! under light load a batch holds a single turn, so nothing waits longer than
//! it would without batching.
//!
//! The writer runs on a blocking-pool thread, not among the runtime's tasks
//! (it is the one thing every turn waits for), and a caller that gives up (a
//! dropped request) cannot cut a batch short for the others.

use std::sync::{Arc, Mutex};

use sqlx::sqlite::SqlitePool;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use tokio::sync::oneshot;

use crate::sql::conversations::refusal;
use crate::{AppendedTurn, ConversationStatus, SqliteStore, StoreError, TenantId};

/// A turn waiting to be written.
pub(super) struct PendingTurn {
    /// The tenant.
    pub(super) tenant: TenantId,
    /// The conversation.
    pub(super) conversation_id: String,
    /// The sequence number the caller's turn was computed from.
    pub(super) expected_last_seq: i64,
    /// The turn's events, serialized.
    pub(super) events: Vec<String>,
    /// The conversation's new state, serialized.
    pub(super) state: String,
    /// The conversation's new status, if the turn changes it.
    pub(super) status: Option<ConversationStatus>,
}

type Reply = oneshot::Sender<Result<AppendedTurn, StoreError>>;

#[derive(Default)]
struct Queue {
    pending: Vec<(PendingTurn, Reply)>,
    /// A writer task is spawned and has not taken the queue yet.
    writer_scheduled: bool,
}

/// The queue of turns and the connection pool their writer uses.
#[derive(Clone)]
pub(super) struct TurnWriter {
    writes: SqlitePool,
    queue: Arc<Mutex<Queue>>,
}

impl std::fmt::Debug for TurnWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurnWriter").finish_non_exhaustive()
    }
}

impl TurnWriter {
    /// A writer over `writes`, the store's pool of write connections.
    pub(super) fn new(writes: SqlitePool) -> Self {
        TurnWriter { writes, queue: Arc::default() }
    }

    /// Queues a turn and waits until it is committed (or refused).
    pub(super) async fn append(&self, turn: PendingTurn) -> Result<AppendedTurn, StoreError> {
        let (reply, answer) = oneshot::channel();
        let spawn_writer = {
            let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
            queue.pending.push((turn, reply));
            !std::mem::replace(&mut queue.writer_scheduled, true)
        };
        if spawn_writer {
            // A thread of its own: on the runtime's workers each of the
            // writer's statements would queue behind every request there is,
            // and the whole server waits for the writer.
            let writer = self.clone();
            let runtime = tokio::runtime::Handle::current();
            tokio::task::spawn_blocking(move || runtime.block_on(writer.write_queued()));
        }
        answer.await.map_err(|_| StoreError::Task("the turn writer stopped".into()))?
    }

    /// Takes every queued turn once a write connection is free, and writes
    /// them in one transaction.
    async fn write_queued(self) {
        // Wait for the connection first: turns queued meanwhile join this batch.
        let transaction = self.writes.begin_with("BEGIN IMMEDIATE").await;
        let batch = {
            let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
            queue.writer_scheduled = false;
            std::mem::take(&mut queue.pending)
        };
        let mut transaction = match transaction {
            Ok(transaction) => transaction,
            Err(error) => return fail_all(batch, &error.into()),
        };
        let mut results = Vec::with_capacity(batch.len());
        let mut failure = None;
        for (turn, _) in &batch {
            match write_one(&mut transaction, turn).await {
                Ok(result) => results.push(result),
                Err(error) => {
                    failure = Some(error);
                    break;
                }
            }
        }
        if let Some(error) = failure {
            // The connection failed mid-batch: nothing of the batch is kept.
            drop(transaction);
            return fail_all(batch, &error);
        }
        if let Err(error) = transaction.commit().await {
            return fail_all(batch, &error.into());
        }
        for ((_, reply), result) in batch.into_iter().zip(results) {
            // A caller that went away still had its turn stored; nobody to tell.
            let _ = reply.send(result);
        }
    }
}

/// Answers every turn of a failed batch with the failure.
fn fail_all(batch: Vec<(PendingTurn, Reply)>, error: &StoreError) {
    for (_, reply) in batch {
        let _ = reply.send(Err(StoreError::Task(format!("storing the turn failed: {error}"))));
    }
}

/// Writes one turn inside the batch's transaction: its events, then the
/// conversation's new state, both only if the conversation is still at the
/// sequence number the turn was computed from. The outer `Err` is a failure
/// of the connection (the batch is lost); the inner one is this turn's own
/// refusal (a conflict, an unknown conversation), which wrote nothing: a
/// statement that fails in SQLite undoes itself, and the update runs only
/// after the insert went through.
async fn write_one(
    conn: &mut SqliteConnection,
    turn: &PendingTurn,
) -> Result<Result<AppendedTurn, StoreError>, StoreError> {
    let count = turn.events.len() as i64;
    let first_seq = turn.expected_last_seq + 1;
    let now = crate::time::now();
    let mut insert = QueryBuilder::<Sqlite>::new(
        "INSERT INTO conversation_events (tenant_id, conversation_id, seq, turn, event, recorded_at) \
         SELECT c.tenant_id, c.id, v.column1, c.turns + 1, v.column2, ",
    );
    insert.push_bind(now).push(" FROM (VALUES ");
    let mut values = insert.separated(", ");
    for (event, seq) in turn.events.iter().zip(first_seq..) {
        values.push("(").push_bind_unseparated(seq).push_unseparated(", ");
        values.push_bind_unseparated(event).push_unseparated(")");
    }
    insert
        .push(") AS v JOIN conversations AS c ON c.tenant_id = ")
        .push_bind(turn.tenant.as_str())
        .push(" AND c.id = ")
        .push_bind(&turn.conversation_id)
        .push(" AND c.last_seq = ")
        .push_bind(turn.expected_last_seq);
    let inserted = match insert.build().execute(&mut *conn).await {
        Ok(done) => done.rows_affected(),
        // Events beyond the conversation's last_seq: only a corrupt log has them.
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            return Ok(Err(StoreError::Corrupt(format!(
                "conversation {} has events after sequence {}",
                turn.conversation_id, turn.expected_last_seq
            ))))
        }
        Err(error) => return Err(error.into()),
    };
    if inserted == 0 {
        let why = refusal::<SqliteStore>(conn, &turn.tenant, &turn.conversation_id, turn.expected_last_seq);
        return Ok(Err(why.await?));
    }
    let number: i64 = sqlx::query_scalar(
        "UPDATE conversations SET state = $1, last_seq = last_seq + $2, turns = turns + 1, \
         updated_at = $3, status = COALESCE($7, status) \
         WHERE tenant_id = $4 AND id = $5 AND last_seq = $6 RETURNING turns",
    )
    .bind(&turn.state)
    .bind(count)
    .bind(now)
    .bind(turn.tenant.as_str())
    .bind(&turn.conversation_id)
    .bind(turn.expected_last_seq)
    .bind(turn.status.map(ConversationStatus::as_str))
    .fetch_one(&mut *conn)
    .await?;
    Ok(Ok(AppendedTurn { turn: number, first_seq, last_seq: turn.expected_last_seq + count }))
}
