//! The engine: its builder, and one turn from the message to the replies.
//!
//! `Engine::handle` reads the message and settles what wins at any point
//! (hand off, start over, stop, help); then the flow waiting for an answer
//! gets the message (`waiting`), or, with no question pending, what it
//! means decides (`meaning`). Flows run in `steps`; `slots` takes every
//! value a message carries and `times` offers free times.

mod meaning;
mod service_forms;
mod slots;
mod steps;
mod times;
mod waiting;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::actions::{Action, ActionContext, BUILTIN_ACTIONS};
use super::answers::{self, TimesAsked};
use super::event::{Event, Reply};
use super::flow::{compile_flows, Flow};
use super::knowledge::{self, KbOutcome, KnowledgeContext};
use super::payload;
use super::render::{yes_no_buttons, Renderer};
use super::state::{ConversationState, Mode, Waiting};
use super::turn::{TurnBuilder, TurnContext};
use crate::booking::Booker;
use crate::knowledge::{Bm25Index, KnowledgeEntry, KnowledgeSearch};
use crate::language_model::LanguageModel;
use crate::nlu::datetime::Grain;
use crate::nlu::{EntityValue, IntentScore, Nlu, NluError, Parse};
use crate::spec::{BotSpec, SpecError, SpecProblem};
use meaning::Meaning;
use waiting::yes_no;

/// The longest message the engine accepts, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 4096;

/// A message as the engine takes it: trimmed, not empty, at most
/// [`MAX_MESSAGE_BYTES`] long. Hosts may call it before loading anything.
pub fn check_message(text: &str) -> Result<&str, EngineError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(EngineError::EmptyMessage);
    }
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(EngineError::MessageTooLong(text.len()));
    }
    Ok(text)
}
/// Steps one turn may run before the engine assumes a flow loops forever.
const MAX_STEPS_PER_TURN: usize = 64;

/// The result of one turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// What the bot says, in order.
    pub replies: Vec<Reply>,
    /// What happened, in order.
    pub events: Vec<Event>,
    /// The NLU's reading of the message.
    pub parse: Option<Parse>,
    /// The state to keep for the next turn.
    pub state: ConversationState,
}

/// Why a turn or an engine could not be made.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The spec is invalid.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// The NLU could not be built.
    #[error(transparent)]
    Nlu(#[from] NluError),
    /// The message was empty.
    #[error("the message is empty")]
    EmptyMessage,
    /// The message was longer than [`MAX_MESSAGE_BYTES`].
    #[error("the message is {0} bytes long; the limit is {MAX_MESSAGE_BYTES}")]
    MessageTooLong(usize),
    /// A flow jumped around without ever waiting for the user.
    #[error("flow {0:?} ran {MAX_STEPS_PER_TURN} steps without waiting for the user")]
    FlowLoop(String),
}

/// Builds an [`Engine`].
pub struct EngineBuilder {
    spec: BotSpec,
    nlu: Option<Nlu>,
    booker: Arc<dyn Booker>,
    actions: HashMap<String, Arc<dyn Action>>,
    language_model: Option<Arc<dyn LanguageModel>>,
    knowledge_search: Option<Arc<dyn KnowledgeSearch>>,
    paraphrase_search: Option<Arc<dyn KnowledgeSearch>>,
}

impl EngineBuilder {
    /// Uses this NLU instead of training the lexical classifier.
    pub fn nlu(mut self, nlu: Nlu) -> Self {
        self.nlu = Some(nlu);
        self
    }

    /// Registers a host action that flows can call by `name`.
    pub fn action(mut self, name: impl Into<String>, action: Arc<dyn Action>) -> Self {
        self.actions.insert(name.into(), action);
        self
    }

    /// Lets the engine word knowledge answers with a generative model.
    pub fn language_model(mut self, model: Arc<dyn LanguageModel>) -> Self {
        self.language_model = Some(model);
        self
    }

    /// Ranks the spec's knowledge entries with `search` (dense or hybrid,
    /// say) instead of BM25. Its hits must index the spec's `knowledge`
    /// list, in order.
    pub fn knowledge_search(mut self, search: Arc<dyn KnowledgeSearch>) -> Self {
        self.knowledge_search = Some(search);
        self
    }

    /// Asks `search` when the lexical search is unsure of a knowledge
    /// question: a search that finds paraphrases, whose hits' coverage is a
    /// cosine similarity (dense sentence embeddings, such as
    /// `knowledge::DenseSearch`). Its best entry answers when it is ahead
    /// and the lexical search or the classifier ranks the same entry first.
    /// Its hits must index the spec's `knowledge` list, in order.
    pub fn paraphrase_search(mut self, search: Arc<dyn KnowledgeSearch>) -> Self {
        self.paraphrase_search = Some(search);
        self
    }

    /// Checks that every flow's actions exist and builds the engine.
    pub fn build(self) -> Result<Engine, EngineError> {
        let mut problems = Vec::new();
        for flow in &self.spec.flows {
            for (i, step) in flow.steps.iter().enumerate() {
                if let Some(a) = &step.action {
                    if !BUILTIN_ACTIONS.contains(&a.as_str()) && !self.actions.contains_key(a) {
                        problems.push(SpecProblem {
                            path: format!("flows.{}.steps[{i}].action", flow.name),
                            message: format!(
                                "unknown action {a:?} (built in: {})",
                                BUILTIN_ACTIONS.join(", ")
                            ),
                        });
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(SpecError { problems }.into());
        }
        let nlu = match self.nlu {
            Some(n) => n,
            None => Nlu::from_spec(&self.spec)?,
        };
        let knowledge: Vec<KnowledgeEntry> =
            self.spec.knowledge.iter().map(KnowledgeEntry::from_spec).collect();
        let name_vocabulary = name_vocabulary(&self.spec);
        let service_words = slots::service_words(&self.spec);
        let service_forms = service_forms::service_forms(&self.spec);
        Ok(Engine {
            name_vocabulary,
            service_words,
            service_forms,
            tz: self.spec.business.tz(),
            renderer: Renderer::new(&self.spec),
            flows: compile_flows(&self.spec),
            knowledge_search: self.knowledge_search.unwrap_or_else(|| Arc::new(Bm25Index::new(&knowledge))),
            paraphrase_search: self.paraphrase_search,
            knowledge,
            nlu,
            booker: self.booker,
            host_actions: self.actions,
            language_model: self.language_model,
            spec: self.spec,
        })
    }
}

/// The words of the business's services and their synonyms, lower-cased.
fn name_vocabulary(spec: &BotSpec) -> Vec<String> {
    let mut words: Vec<String> = spec
        .business
        .services
        .iter()
        .flat_map(|s| std::iter::once(&s.name).chain(&s.synonyms))
        .flat_map(|text| answers::normalise(text).split(' ').map(str::to_string).collect::<Vec<_>>())
        .filter(|w| w.chars().count() > 2)
        .collect();
    words.sort();
    words.dedup();
    words
}

/// A bot ready to hold conversations. Cheap to share between threads.
pub struct Engine {
    pub(super) spec: BotSpec,
    pub(super) tz: chrono_tz::Tz,
    pub(super) nlu: Nlu,
    pub(super) flows: Vec<Flow>,
    pub(super) renderer: Renderer,
    pub(super) knowledge: Vec<KnowledgeEntry>,
    /// Ranks knowledge entries for messages the classifier did not place.
    pub(super) knowledge_search: Arc<dyn KnowledgeSearch>,
    /// A second opinion on knowledge questions the lexical search is
    /// unsure of, when the host has a sentence encoder.
    pub(super) paraphrase_search: Option<Arc<dyn KnowledgeSearch>>,
    pub(super) booker: Arc<dyn Booker>,
    pub(super) host_actions: HashMap<String, Arc<dyn Action>>,
    /// Words knowledge answers when the host provides one.
    pub(super) language_model: Option<Arc<dyn LanguageModel>>,
    /// Lower-case words of the business's vocabulary (services), never part of a customer's name.
    pub(super) name_vocabulary: Vec<String>,
    /// Each service's id with the words it is named by, for answers that
    /// name a service in other words ("mens").
    pub(super) service_words: Vec<(String, Vec<String>)>,
    /// The services' names and synonyms of two words or more, for messages
    /// that say one whole in another order ("class 7 maths").
    pub(super) service_forms: Vec<service_forms::ServiceForm>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("business", &self.spec.business.name).finish_non_exhaustive()
    }
}

impl Engine {
    /// Starts building an engine for a spec, booking through `booker`.
    pub fn builder(spec: BotSpec, booker: Arc<dyn Booker>) -> EngineBuilder {
        EngineBuilder {
            spec,
            nlu: None,
            booker,
            actions: HashMap::new(),
            language_model: None,
            knowledge_search: None,
            paraphrase_search: None,
        }
    }

    /// The spec the engine runs.
    pub fn spec(&self) -> &BotSpec {
        &self.spec
    }

    /// The business's time zone.
    pub fn timezone(&self) -> chrono_tz::Tz {
        self.tz
    }

    /// The NLU's reading of a message, without changing any conversation.
    pub fn parse(&self, text: &str, now: DateTime<Utc>) -> Parse {
        self.nlu.parse(text, now.with_timezone(&self.tz))
    }

    /// Hands a conversation back to the bot after a person had it.
    pub fn release(&self, mut state: ConversationState) -> (ConversationState, Vec<Event>) {
        if state.mode == Mode::HandedOff {
            state.mode = Mode::Bot;
            state.failures = 0;
            return (state, vec![Event::HandoffReleased]);
        }
        (state, Vec::new())
    }

    /// Handles one user message.
    pub async fn handle(
        &self,
        state: ConversationState,
        text: &str,
        ctx: &TurnContext,
    ) -> Result<Turn, EngineError> {
        let text = check_message(text)?;
        let mut state = state;
        state.turns += 1;
        let mut t = TurnBuilder::new(ctx);
        t.event(Event::UserMessage { text: text.to_string() });
        if state.mode == Mode::HandedOff {
            let (replies, events) = t.finish();
            return Ok(Turn { replies, events, parse: None, state });
        }
        let parse = match payload::decode(text) {
            Some(p) => Parse {
                intents: p
                    .intent
                    .iter()
                    .map(|i| IntentScore { intent: i.clone(), confidence: 1.0 })
                    .collect(),
                intent: p.intent.map(|i| IntentScore { intent: i, confidence: 1.0 }),
                entities: p.entities,
            },
            None => self.parse(text, ctx.now),
        };
        if let Some(i) = &parse.intent {
            t.event(Event::IntentDetected { name: i.intent.clone(), confidence: i.confidence });
        }
        self.turn(&mut state, &parse, text, &mut t).await?;
        let (replies, events) = t.finish();
        Ok(Turn { replies, events, parse: Some(parse), state })
    }

    async fn turn(
        &self,
        state: &mut ConversationState,
        parse: &Parse,
        text: &str,
        t: &mut TurnBuilder<'_>,
    ) -> Result<(), EngineError> {
        let intent = parse.intent.as_ref().map(|i| i.intent.as_str());
        let d = &self.spec.dialog;
        let is = |setting: &Option<String>| intent.is_some() && intent == setting.as_deref();

        // "Lovely. And will you be open on boxing day?" asks something else.
        let answers_offer = !knowledge::is_question(text) || text.split_whitespace().count() <= 3;
        if std::mem::take(&mut state.handoff_offered) && answers_offer {
            match yes_no(text, intent, &self.spec) {
                Some(true) => {
                    self.hand_off(state, t, "the customer accepted the offer of a person");
                    return Ok(());
                }
                Some(false) => {
                    t.say(self.renderer.render("handoff_declined", &state.slots, t.seed()));
                    return Ok(());
                }
                None => {}
            }
        }
        // "you can call me at +65-9456-0021" gives a number; "have someone
        // call me on 0412 555 019" still asks for a person.
        let gives_number = parse.entities.iter().any(|e| e.entity == "phone");
        let asks_for_person = d.handoff_intent.is_some() && answers::asks_for_person(text);
        if is(&d.handoff_intent) && !gives_number || asks_for_person {
            self.hand_off(state, t, "the customer asked for a person");
            return Ok(());
        }
        let waiting = state.stack.last().and_then(|f| f.waiting.clone());
        // A yes or no to the question asked is an answer, whatever else the
        // classifier hears in it ("perfect, book it" is not "stop").
        let answers_question = matches!(waiting, Some(Waiting::Confirmation | Waiting::Change))
            && answers::yes_no(text).is_some();
        if !answers_question && is(&d.restart_intent) {
            for frame in std::mem::take(&mut state.stack) {
                t.event(Event::FlowCancelled { flow: frame.flow });
            }
            let bookings = std::mem::take(&mut state.bookings);
            *state = ConversationState { turns: state.turns, bookings, ..ConversationState::default() };
            t.say(self.renderer.render("restart", &state.slots, t.seed()));
            return Ok(());
        }
        // "go for it" is not "stop", whatever the classifier hears; nor is
        // a question ("will my gp find out about it? dont want it on my
        // records"), nor the time asked for ("about 11").
        let agrees = answers::yes_no(text) == Some(true);
        let gives_time = matches!(&waiting, Some(Waiting::Slot { slot })
            if self.slot_type(slot) == "datetime" && self.answers_slot(parse, text, slot));
        let stops = is(&d.stop_intent)
            && !state.stack.is_empty()
            && !answers_question
            && !agrees
            && !gives_time
            && !knowledge::is_question(text);
        if stops {
            for frame in std::mem::take(&mut state.stack).into_iter().rev() {
                t.event(Event::FlowCancelled { flow: frame.flow });
            }
            t.say(self.renderer.render("stopped", &state.slots, t.seed()));
            return Ok(());
        }
        // "what do you have next sat?" asks for times, not for help; "what
        // do you charge for a guy's cut?" is a question for the knowledge
        // base, whatever help the classifier hears in it.
        if !answers_question
            && is(&d.help_intent)
            && answers::asks_for_times(text).is_none()
            && !meaning::asks_something(text)
        {
            t.say(self.renderer.render("help", &state.slots, t.seed()));
            self.ask_again(state, t);
            return Ok(());
        }

        match waiting {
            Some(Waiting::Slot { slot }) => self.answer_slot(state, parse, text, &slot, t).await,
            Some(Waiting::Confirmation) => self.answer_confirmation(state, parse, text, t).await,
            Some(Waiting::Change) => self.answer_change(state, parse, text, t).await,
            None => {
                // "can we push it back an hour?", "same time next week?": the
                // booking just made, moved by that much.
                if let Some(moved) = self.shifted_booking_time(state, parse, text) {
                    if let Some(f) = self.flow_for("reschedule_booking") {
                        self.push_flow(state, f, t);
                        let at = moved.with_timezone(&self.tz).fixed_offset();
                        t.set_slot(state, "datetime", EntityValue::Time { value: at, grain: Grain::Minute });
                        return self.run(state, t).await;
                    }
                }
                // "Is there anything later that same day, after 4?" right
                // after booking: moving that booking.
                if meaning::booking_just_made(state)
                    && matches!(answers::asks_for_times(text), Some(TimesAsked::Later | TimesAsked::Earlier))
                {
                    if let Some(f) = self.flow_for("reschedule_booking") {
                        return self.start_flow(state, f, parse, text, t).await;
                    }
                }
                let meaning = self.meaning_unprompted(state, parse, text);
                // "are you open between christmas and new year? I'd love a
                // blow-dry on the 29th": the question answered, then the
                // booking the rest asks for (whose start takes the slots).
                let then_books = match meaning {
                    Meaning::Knowledge { .. } => self.books_outside_questions(parse, text),
                    _ => None,
                };
                if !matches!(meaning, Meaning::StartFlow(_)) && then_books.is_none() {
                    // Kept for a flow the next message may start ("how long
                    // does a colour take?", then "book me one").
                    self.absorb(state, parse, text, None, t);
                }
                match meaning {
                    Meaning::StartFlow(f) => {
                        // "do you do saturdays? need to book my partner in":
                        // the question answered, then the booking.
                        if self.flows[f].runs("create_booking") {
                            if let Some(KbOutcome::Answer { entry, score }) =
                                self.kb().question_clause_answer(parse, text)
                            {
                                self.kb().answer(state, entry, score, text, t).await;
                            }
                        }
                        return self.start_flow(state, f, parse, text, t).await;
                    }
                    Meaning::Knowledge { entry, score } => {
                        self.kb().answer(state, entry, score, text, t).await;
                        if let Some(f) = then_books {
                            return self.start_flow(state, f, parse, text, t).await;
                        }
                    }
                    Meaning::KnowledgeChoices(entries) => self.kb().offer_choices(state, &entries, t),
                    Meaning::KnowledgeUnknown => self.kb().unknown(state, text, t),
                    Meaning::Respond(name) => {
                        state.failures = 0;
                        t.say(self.renderer.render(&name, &state.slots, t.seed()));
                    }
                    Meaning::Nothing => self.not_understood(state, text, t),
                }
                Ok(())
            }
        }
    }

    /// The flow that runs the built-in `action`, if the spec has one.
    fn flow_for(&self, action: &str) -> Option<usize> {
        self.flows.iter().position(|f| f.runs(action))
    }

    fn not_understood(&self, state: &mut ConversationState, text: &str, t: &mut TurnBuilder<'_>) {
        t.event(Event::OutOfScope { text: text.to_string() });
        t.say(self.renderer.render("out_of_scope", &state.slots, t.seed()));
        self.not_understood_offer(state, t);
    }

    fn hand_off(&self, state: &mut ConversationState, t: &mut TurnBuilder<'_>, reason: &str) {
        for frame in std::mem::take(&mut state.stack).into_iter().rev() {
            t.event(Event::FlowCancelled { flow: frame.flow });
        }
        state.mode = Mode::HandedOff;
        state.failures = 0;
        t.event(Event::HandoffRequested { reason: reason.to_string() });
        t.say(self.renderer.render("handoff", &state.slots, t.seed()));
    }

    pub(super) fn slot_type(&self, slot: &str) -> &str {
        self.spec.slots.iter().find(|s| s.name == slot).map_or("text", |s| s.entity.as_str())
    }

    pub(super) fn flow_index(&self, name: &str) -> Option<usize> {
        self.flows.iter().position(|f| f.name == name)
    }

    /// What answering from the knowledge base needs of the engine.
    pub(super) fn kb(&self) -> KnowledgeContext<'_> {
        KnowledgeContext {
            entries: &self.knowledge,
            search: self.knowledge_search.as_ref(),
            paraphrase_search: self.paraphrase_search.as_deref(),
            language_model: self.language_model.as_deref(),
            renderer: &self.renderer,
            business_name: &self.spec.business.name,
            services: &self.spec.business.services,
        }
    }

    /// What the actions need of the engine.
    pub(super) fn actions(&self) -> ActionContext<'_> {
        ActionContext {
            booker: self.booker.as_ref(),
            host_actions: &self.host_actions,
            renderer: &self.renderer,
            tz: self.tz,
        }
    }

    fn not_understood_offer(&self, state: &mut ConversationState, t: &mut TurnBuilder<'_>) {
        state.failures += 1;
        if self.spec.dialog.handoff_after_failures > 0
            && state.failures >= self.spec.dialog.handoff_after_failures
        {
            state.handoff_offered = true;
            let mut offer = self.renderer.render("offer_handoff", &state.slots, t.seed());
            if offer.buttons.is_empty() {
                offer.buttons = yes_no_buttons();
            }
            t.say(offer);
        }
    }
}
