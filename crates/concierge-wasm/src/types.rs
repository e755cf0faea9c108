//! TypeScript declarations of the plain objects passed to and from JS.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    /// The options object of `parse` and `handle` (`{ now }`), read field by field.
    #[wasm_bindgen(typescript_type = "CallOptions")]
    pub type CallOptions;
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A bot spec: YAML or JSON text, or the parsed object. */
export type BotSpecInput = string | Record<string, unknown>;

/** Options of a call. `now` defaults to `Date.now()`. */
export interface CallOptions {
  /** The current time: RFC 3339 text with an offset, a Date, or epoch milliseconds. */
  now?: string | Date | number;
}

/** An intent with the classifier's confidence (0 to 1). */
export interface IntentScore {
  name: string;
  confidence: number;
}

/** A resolved entity value. Times are RFC 3339 text at the business's offset. */
export type EntityValue =
  | { kind: "text"; value: string }
  | { kind: "number"; value: number }
  | { kind: "email"; value: string }
  | { kind: "phone"; value: string }
  | { kind: "time"; value: string; grain: Grain }
  | { kind: "interval"; from: string | null; to: string | null; grain: Grain }
  | { kind: "duration"; seconds: number };

/** How precisely a time was given. */
export type Grain = "second" | "minute" | "hour" | "day" | "week" | "month" | "quarter" | "year";

/** An entity mention; `start`/`end` are JS string indices. */
export interface Entity {
  entity: string;
  value: EntityValue;
  text: string;
  start: number;
  end: number;
}

/** What a message means. */
export interface ParseResult {
  /** The intent acted on, or null when none clears the spec's threshold. */
  intent: IntentScore | null;
  /** Every intent, most likely first (`faq/<id>` for knowledge questions). */
  intents: IntentScore[];
  entities: Entity[];
}

/** A quick-reply button. */
export interface Button {
  title: string;
  payload: string;
}

/** A message from the bot. */
export interface Reply {
  text: string;
  buttons?: Button[];
}

/** A booking as hosts see it. */
export interface BookingView {
  id: string;
  reference: string;
  service: string;
  start: string;
  end: string;
  staff: string;
  customer: { name: string; phone: string | null };
}

/** Something that happened during a turn. */
export type TurnEvent =
  | { type: "user_message"; text: string }
  | { type: "intent_detected"; name: string; confidence: number }
  | { type: "slot_set"; name: string; value: string }
  | { type: "flow_started"; flow: string }
  | { type: "flow_completed"; flow: string }
  | { type: "flow_cancelled"; flow: string }
  | { type: "kb_answer"; id: string; title: string; source: string; score: number }
  | { type: "out_of_scope"; text: string }
  | { type: "handoff_requested"; reason: string }
  | { type: "handoff_released" }
  | { type: "booking_confirmed"; booking: BookingView }
  | { type: "booking_cancelled"; booking_id: string }
  | { type: "booking_rescheduled"; from_booking_id: string; booking: BookingView }
  | { type: "bot_message"; text: string };

/** A conversation's state, as `exportState` returns it (parsed). */
export type ConversationState = Record<string, unknown>;

/** One turn of a conversation. */
export interface TurnResult {
  replies: Reply[];
  events: TurnEvent[];
  parse: ParseResult | null;
  state: ConversationState;
}
"#;
