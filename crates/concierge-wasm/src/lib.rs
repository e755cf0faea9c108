//! Browser and Node.js bindings for Concierge. Filled by the WASM package issue.
