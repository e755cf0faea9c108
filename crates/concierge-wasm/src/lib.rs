//! Browser and Node.js bindings for Concierge, built with wasm-bindgen.
//!
//! Two classes are exported to JavaScript:
//! - [`IntentMatcher`]: the bot's NLU alone (`new IntentMatcher(spec)`,
//!   `.parse(text, {now})`), for instant intent matching in a page;
//! - [`Engine`]: whole conversations (`new Engine(spec)`,
//!   `.handle(conversationId, text, {now})`), with bookings kept in memory
//!   and each conversation's state exportable as JSON.
//!
//! Specs are given as YAML or JSON text, or as a plain JS object. Every
//! failure reaches JS as an `Error` whose message names the spec location or
//! the option at fault; unexpected panics are logged to the console by
//! `console_error_panic_hook`. No function reads the system clock through
//! std (which panics on `wasm32-unknown-unknown`): `now` comes from the
//! options or from `Date.now()`.

mod clock;
mod conversations;
mod error;
mod matcher;
mod spec_input;
mod types;
mod view;

use wasm_bindgen::prelude::wasm_bindgen;

pub use clock::{parse_rfc3339, NowError};
pub use conversations::Engine;
pub use error::BindingError;
pub use matcher::IntentMatcher;
pub use spec_input::{spec_from_text, SpecFormat};
pub use view::{ParseView, TurnView};

/// Installs the panic hook when the module is instantiated, so a bug shows
/// its message in the console instead of `unreachable`.
#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}
