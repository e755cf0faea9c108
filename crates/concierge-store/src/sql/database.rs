//! What the shared queries ask of a sqlx database, stated once.
//!
//! sqlx puts its per-type bounds on the values (`T: Encode<'q, DB> + Type<DB>`
//! to bind a `T`, `T: Decode<'r, DB> + Type<DB>` to read one), and Rust does
//! not carry such bounds along from a trait's where-clause: every generic
//! function would have to repeat them all. Here each one is turned around
//! into a bound on the database or its row type ([`Binds`], [`Reads`]),
//! implemented for every database that satisfies sqlx's bound, and gathered
//! as supertraits of [`Sql`], which Rust does carry along: code generic over
//! `DB: Sql` binds, reads and runs queries with no bound of its own.
//!
//! Binding goes through [`Param::param`] (sqlx's own `bind`, inlined): no
//! boxing, no dynamic values.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::query::Query;
use sqlx::types::Json;
use std::future::Future;
use std::pin::Pin;

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Row, Type};

/// The future of a query: what sqlx's `Executor` methods return.
pub(crate) type BoxFuture<'e, T> = Pin<Box<dyn Future<Output = T> + Send + 'e>>;

/// The arguments of a query on `DB`.
pub(crate) type Args<'q, DB> = <DB as Database>::Arguments<'q>;

/// `DB` can bind a `T` as a query parameter.
pub(crate) trait Binds<'q, T>: Database {
    /// `query` with `value` bound as its next parameter.
    fn bind_param(query: Query<'q, Self, Args<'q, Self>>, value: T) -> Query<'q, Self, Args<'q, Self>>;
}

impl<'q, DB: Database, T: 'q + Encode<'q, DB> + Type<DB>> Binds<'q, T> for DB {
    #[inline]
    fn bind_param(query: Query<'q, Self, Args<'q, Self>>, value: T) -> Query<'q, Self, Args<'q, Self>> {
        query.bind(value)
    }
}

/// Binding a parameter in shared code (sqlx's `bind` asks for bounds on the
/// value that generic code cannot state once).
pub(crate) trait Param<'q, DB: Database>: Sized {
    /// The query with `value` bound as its next parameter.
    fn param<T>(self, value: T) -> Self
    where
        DB: Binds<'q, T>;
}

impl<'q, DB: Database> Param<'q, DB> for Query<'q, DB, Args<'q, DB>> {
    #[inline]
    fn param<T>(self, value: T) -> Self
    where
        DB: Binds<'q, T>,
    {
        DB::bind_param(self, value)
    }
}

/// A row a `T` can be read from, by column name.
pub(crate) trait Reads<T>: Row {
    /// The value of `column`.
    fn read_column(&self, column: &str) -> Result<T, sqlx::Error>;
}

impl<R: Row, T> Reads<T> for R
where
    T: for<'r> Decode<'r, R::Database> + Type<R::Database>,
    for<'c> &'c str: ColumnIndex<R>,
{
    #[inline]
    fn read_column(&self, column: &str) -> Result<T, sqlx::Error> {
        self.try_get(column)
    }
}

/// Reading a column in shared code: `row.col("id")?` where sqlx would say
/// `row.try_get("id")?`.
pub(crate) trait Col: Row {
    /// The value of `column`.
    fn col<T>(&self, column: &str) -> Result<T, sqlx::Error>
    where
        Self: Reads<T>;
}

impl<R: Row> Col for R {
    #[inline]
    fn col<T>(&self, column: &str) -> Result<T, sqlx::Error>
    where
        Self: Reads<T>,
    {
        self.read_column(column)
    }
}

/// A row text can be borrowed from (no allocation, for values parsed at once).
pub(crate) trait ReadsStr: Row {
    /// The text of `column`, borrowed from the row.
    fn col_str<'r>(&'r self, column: &str) -> Result<&'r str, sqlx::Error>;
}

impl<R: Row> ReadsStr for R
where
    for<'r> &'r str: Decode<'r, R::Database> + Type<R::Database>,
    for<'c> &'c str: ColumnIndex<R>,
{
    #[inline]
    fn col_str<'r>(&'r self, column: &str) -> Result<&'r str, sqlx::Error> {
        self.try_get(column)
    }
}

/// Every type the shared code reads from a row.
pub(crate) trait Columns:
    ReadsStr
    + Reads<String>
    + Reads<Option<String>>
    + Reads<i64>
    + Reads<i32>
    + Reads<Option<i32>>
    + Reads<DateTime<Utc>>
    + Reads<Option<DateTime<Utc>>>
    + Reads<NaiveDate>
    + Reads<Vec<u8>>
    + Reads<Json<serde_json::Value>>
    + Reads<Json<Vec<String>>>
{
}

impl<R> Columns for R where
    R: ReadsStr
        + Reads<String>
        + Reads<Option<String>>
        + Reads<i64>
        + Reads<i32>
        + Reads<Option<i32>>
        + Reads<DateTime<Utc>>
        + Reads<Option<DateTime<Utc>>>
        + Reads<NaiveDate>
        + Reads<Vec<u8>>
        + Reads<Json<serde_json::Value>>
        + Reads<Json<Vec<String>>>
{
}

/// `DB` runs its queries on `&mut DB::Connection` (a transaction or a
/// pooled connection dereferences to one): sqlx's `Executor` methods.
pub(crate) trait Runs: Database {
    /// Runs `query`; what it did.
    fn execute<'e, 'q: 'e>(
        conn: &'e mut Self::Connection,
        query: Query<'q, Self, Args<'q, Self>>,
    ) -> BoxFuture<'e, Result<Self::QueryResult, sqlx::Error>>;
    /// Runs `query`; every row.
    fn fetch_all<'e, 'q: 'e>(
        conn: &'e mut Self::Connection,
        query: Query<'q, Self, Args<'q, Self>>,
    ) -> BoxFuture<'e, Result<Vec<Self::Row>, sqlx::Error>>;
    /// Runs `query`; its one row.
    fn fetch_one<'e, 'q: 'e>(
        conn: &'e mut Self::Connection,
        query: Query<'q, Self, Args<'q, Self>>,
    ) -> BoxFuture<'e, Result<Self::Row, sqlx::Error>>;
    /// Runs `query`; its row, if any.
    fn fetch_optional<'e, 'q: 'e>(
        conn: &'e mut Self::Connection,
        query: Query<'q, Self, Args<'q, Self>>,
    ) -> BoxFuture<'e, Result<Option<Self::Row>, sqlx::Error>>;
}

impl<DB: Database> Runs for DB
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> Args<'q, DB>: IntoArguments<'q, DB>,
{
    fn execute<'e, 'q: 'e>(
        conn: &'e mut Self::Connection,
        query: Query<'q, Self, Args<'q, Self>>,
    ) -> BoxFuture<'e, Result<Self::QueryResult, sqlx::Error>> {
        conn.execute(query)
    }

    fn fetch_all<'e, 'q: 'e>(
        conn: &'e mut Self::Connection,
        query: Query<'q, Self, Args<'q, Self>>,
    ) -> BoxFuture<'e, Result<Vec<Self::Row>, sqlx::Error>> {
        conn.fetch_all(query)
    }

    fn fetch_one<'e, 'q: 'e>(
        conn: &'e mut Self::Connection,
        query: Query<'q, Self, Args<'q, Self>>,
    ) -> BoxFuture<'e, Result<Self::Row, sqlx::Error>> {
        conn.fetch_one(query)
    }

    fn fetch_optional<'e, 'q: 'e>(
        conn: &'e mut Self::Connection,
        query: Query<'q, Self, Args<'q, Self>>,
    ) -> BoxFuture<'e, Result<Option<Self::Row>, sqlx::Error>> {
        conn.fetch_optional(query)
    }
}

/// Running a query in shared code: `query.fetch_all_in(&mut *tx)` where sqlx
/// would say `query.fetch_all(&mut *tx)` (the same call underneath).
pub(crate) trait Run<'q, DB: Runs> {
    /// Runs the query; what it did.
    fn execute_in<'e>(
        self,
        conn: &'e mut DB::Connection,
    ) -> BoxFuture<'e, Result<DB::QueryResult, sqlx::Error>>
    where
        'q: 'e;
    /// Runs the query; every row.
    fn fetch_all_in<'e>(
        self,
        conn: &'e mut DB::Connection,
    ) -> BoxFuture<'e, Result<Vec<DB::Row>, sqlx::Error>>
    where
        'q: 'e;
    /// Runs the query; its one row.
    fn fetch_one_in<'e>(self, conn: &'e mut DB::Connection) -> BoxFuture<'e, Result<DB::Row, sqlx::Error>>
    where
        'q: 'e;
    /// Runs the query; its row, if any.
    fn fetch_optional_in<'e>(
        self,
        conn: &'e mut DB::Connection,
    ) -> BoxFuture<'e, Result<Option<DB::Row>, sqlx::Error>>
    where
        'q: 'e;
}

impl<'q, DB: Runs> Run<'q, DB> for Query<'q, DB, Args<'q, DB>> {
    #[inline]
    fn execute_in<'e>(
        self,
        conn: &'e mut DB::Connection,
    ) -> BoxFuture<'e, Result<DB::QueryResult, sqlx::Error>>
    where
        'q: 'e,
    {
        DB::execute(conn, self)
    }

    #[inline]
    fn fetch_all_in<'e>(
        self,
        conn: &'e mut DB::Connection,
    ) -> BoxFuture<'e, Result<Vec<DB::Row>, sqlx::Error>>
    where
        'q: 'e,
    {
        DB::fetch_all(conn, self)
    }

    #[inline]
    fn fetch_one_in<'e>(self, conn: &'e mut DB::Connection) -> BoxFuture<'e, Result<DB::Row, sqlx::Error>>
    where
        'q: 'e,
    {
        DB::fetch_one(conn, self)
    }

    #[inline]
    fn fetch_optional_in<'e>(
        self,
        conn: &'e mut DB::Connection,
    ) -> BoxFuture<'e, Result<Option<DB::Row>, sqlx::Error>>
    where
        'q: 'e,
    {
        DB::fetch_optional(conn, self)
    }
}

/// How many rows a statement changed (sqlx has it on each backend's result
/// type, not in a trait).
pub(crate) trait RowsAffected {
    /// How many rows the statement inserted, updated or deleted.
    fn rows_affected(&self) -> u64;
}

impl RowsAffected for sqlx::sqlite::SqliteQueryResult {
    fn rows_affected(&self) -> u64 {
        self.rows_affected()
    }
}

impl RowsAffected for sqlx::postgres::PgQueryResult {
    fn rows_affected(&self) -> u64 {
        self.rows_affected()
    }
}

/// A sqlx database with everything the shared queries bind, read and run.
pub(crate) trait Sql:
    Runs<Row: Columns, QueryResult: RowsAffected>
    + for<'q> Binds<'q, &'q str>
    + for<'q> Binds<'q, String>
    + for<'q> Binds<'q, Option<&'q str>>
    + for<'q> Binds<'q, i64>
    + for<'q> Binds<'q, i32>
    + for<'q> Binds<'q, bool>
    + for<'q> Binds<'q, DateTime<Utc>>
    + for<'q> Binds<'q, Option<DateTime<Utc>>>
    + for<'q> Binds<'q, NaiveDate>
    + for<'q> Binds<'q, Vec<u8>>
    + for<'q> Binds<'q, Json<&'q serde_json::Value>>
    + for<'q> Binds<'q, Json<&'q [String]>>
{
}

impl<DB> Sql for DB where
    DB: Runs<Row: Columns, QueryResult: RowsAffected>
        + for<'q> Binds<'q, &'q str>
        + for<'q> Binds<'q, String>
        + for<'q> Binds<'q, Option<&'q str>>
        + for<'q> Binds<'q, i64>
        + for<'q> Binds<'q, i32>
        + for<'q> Binds<'q, bool>
        + for<'q> Binds<'q, DateTime<Utc>>
        + for<'q> Binds<'q, Option<DateTime<Utc>>>
        + for<'q> Binds<'q, NaiveDate>
        + for<'q> Binds<'q, Vec<u8>>
        + for<'q> Binds<'q, Json<&'q serde_json::Value>>
        + for<'q> Binds<'q, Json<&'q [String]>>
{
}
