//! Python bindings for Concierge. Filled by the Python wheel issue.
