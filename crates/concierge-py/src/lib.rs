//! Python bindings for Concierge: the native module `concierge._concierge`.
//!
//! The Python package `concierge` (in `python/`) wraps this module in
//! Pythonic types: dataclasses for parses, turns and bookings, an exception
//! hierarchy defined in `concierge.errors`, and `async` variants. This
//! module keeps the Rust side small: [`engine::NativeEngine`] holds one bot
//! (its engine, bookings and conversations), releases the GIL while it
//! parses, handles turns and books, and returns plain Python values;
//! [`store::NativeStore`] is a database (SQLite or PostgreSQL, driven on a
//! tokio runtime the module owns) that an engine keeps its conversations and
//! bookings in.

mod action;
mod calendar;
mod engine;
mod error;
mod language_model;
mod runtime;
mod store;
mod values;

use pyo3::prelude::*;

/// The native module.
#[pymodule]
fn _concierge(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<engine::NativeEngine>()?;
    m.add_class::<store::NativeStore>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
