//! The lexical intent classifier: word and character n-grams with a linear
//! model trained in-process. No weights to download; the WASM default.
