//! The dialog engine.
