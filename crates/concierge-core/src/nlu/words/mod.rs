//! The words messages are read by: English in its common written forms
//! (texting included), as lists the dialog's readers match whole words and
//! phrases against.
//!
//! The dialog decides what an answer means (`dialog::answers`, the time
//! read by `when`, knowledge questions); the vocabulary it does so with
//! lives here, with the rest of the language understanding, one module per
//! concept. Lists are lower case, apostrophes straight.

pub(crate) mod answers;
pub(crate) mod names;
pub(crate) mod questions;
pub(crate) mod services;
pub(crate) mod when;
