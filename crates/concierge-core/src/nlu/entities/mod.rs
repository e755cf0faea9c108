//! Extraction of built-in and spec-declared entities.
