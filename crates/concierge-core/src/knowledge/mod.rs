//! Knowledge search.
