//! The engine and its turn algorithm.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::actions::{Action, BUILTIN_ACTIONS};
use super::answers::{self, TimesAsked};
use super::event::{Button, Event, Reply};
use super::flow::{compile_flows, Flow, Step, Target};
use super::knowledge::{self, KbOutcome, KB_CHOICE_ENTITY, KB_CHOICE_INTENT};
use super::payload;
use super::render::Renderer;
use super::slots::{Filled, WINDOW_SLOT};
use super::state::{ConversationState, FlowFrame, Mode, Waiting};
use super::when;
use crate::booking::Booker;
use crate::knowledge::{Bm25Index, KnowledgeEntry, KnowledgeSearch};
use crate::language_model::LanguageModel;
use crate::nlu::datetime::Grain;
use crate::nlu::{EntityValue, IntentScore, Nlu, NluError, Parse, KNOWLEDGE_INTENT_PREFIX};
use crate::spec::{BotSpec, SpecError, SpecProblem};

/// The longest message the engine accepts, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 4096;
/// Steps one turn may run before the engine assumes a flow loops forever.
const MAX_STEPS_PER_TURN: usize = 64;
/// The classifier's confidence from which a flow's intent starts the flow
/// even when the message reads as a question the knowledge base answers.
const SURE_OF_FLOW: f32 = 0.7;
/// The words a greeting with a question after it has at least ("hi! is
/// anyone there good with curls?" is a question, "hi there?" a greeting).
const QUESTION_AFTER_GREETING: usize = 4;

/// What a turn needs from the outside world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnContext {
    /// The current time.
    pub now: DateTime<Utc>,
    /// Randomness for choosing among response variations.
    pub seed: u64,
    /// The conversation's id (used in idempotency keys).
    pub conversation_id: String,
}

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
        let service_words = super::slots::service_words(&self.spec);
        Ok(Engine {
            name_vocabulary,
            service_words,
            tz: self.spec.business.tz(),
            renderer: Renderer::new(&self.spec),
            flows: compile_flows(&self.spec),
            knowledge_search: self.knowledge_search.unwrap_or_else(|| Arc::new(Bm25Index::new(&knowledge))),
            paraphrase_search: self.paraphrase_search,
            knowledge,
            nlu,
            booker: self.booker,
            actions: self.actions,
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
    pub(super) actions: HashMap<String, Arc<dyn Action>>,
    /// Words knowledge answers when the host provides one.
    pub(super) language_model: Option<Arc<dyn LanguageModel>>,
    /// Lower-case words of the business's vocabulary (services), never part of a customer's name.
    pub(super) name_vocabulary: Vec<String>,
    /// Each service's id with the words it is named by, for answers that
    /// name a service in other words ("mens").
    pub(super) service_words: Vec<(String, Vec<String>)>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("business", &self.spec.business.name).finish_non_exhaustive()
    }
}

/// Collects a turn's replies and events.
pub(crate) struct TurnBuilder<'a> {
    pub(crate) ctx: &'a TurnContext,
    replies: Vec<Reply>,
    events: Vec<Event>,
    said: u64,
    /// Set when a reply already asked the user something (alternatives
    /// offered), so the next prompt need not ask again.
    pub(crate) asked: bool,
    /// Slots set in this turn.
    pub(crate) filled: Vec<String>,
    /// The slot an action found missing.
    pub(crate) missing: Option<String>,
}

impl<'a> TurnBuilder<'a> {
    pub(crate) fn event(&mut self, e: Event) {
        self.events.push(e);
    }

    pub(crate) fn say(&mut self, reply: Reply) {
        self.said += 1;
        self.events.push(Event::BotMessage { text: reply.text.clone() });
        self.replies.push(reply);
    }

    pub(crate) fn say_text(&mut self, text: String) {
        self.say(Reply { text, buttons: Vec::new() });
    }

    /// A seed for the next variation choice, different for every reply.
    pub(crate) fn seed(&self) -> u64 {
        splitmix(self.ctx.seed.wrapping_add(self.said))
    }
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// What a message asks for, outside any pending question.
enum Meaning {
    StartFlow(usize),
    Knowledge { entry: usize, score: f32 },
    KnowledgeChoices(Vec<usize>),
    KnowledgeUnknown,
    Respond(String),
    Nothing,
}

fn kb_meaning(outcome: KbOutcome) -> Meaning {
    match outcome {
        KbOutcome::Answer { entry, score } => Meaning::Knowledge { entry, score },
        KbOutcome::Choices(entries) => Meaning::KnowledgeChoices(entries),
        KbOutcome::Unknown => Meaning::KnowledgeUnknown,
        KbOutcome::Nothing => Meaning::Nothing,
    }
}

/// Whether the message names an entity of `kind`.
/// Whether the conversation has made a booking and no flow is running, so
/// a message may be about that booking ("push it back an hour").
fn booking_just_made(state: &ConversationState) -> bool {
    !state.bookings.is_empty() && state.stack.is_empty()
}

fn has(parse: &Parse, kind: &str) -> bool {
    parse.entities.iter().any(|e| e.entity == kind)
}

/// The quick replies under a yes/no question.
pub(super) fn yes_no_buttons() -> Vec<Button> {
    vec![
        Button { title: "Yes".into(), payload: "yes".into() },
        Button { title: "No".into(), payload: "no".into() },
    ]
}

/// Reads a yes or a no: the words first ("perfect, book it" is a yes even
/// when the classifier hears "stop"), then the spec's affirm and deny intents.
fn yes_no(text: &str, intent: Option<&str>, spec: &BotSpec) -> Option<bool> {
    if let Some(yes) = answers::yes_no(text) {
        return Some(yes);
    }
    if intent.is_some() && intent == spec.dialog.affirm_intent.as_deref() {
        return Some(true);
    }
    if intent.is_some() && intent == spec.dialog.deny_intent.as_deref() {
        return Some(false);
    }
    None
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
        let text = text.trim();
        if text.is_empty() {
            return Err(EngineError::EmptyMessage);
        }
        if text.len() > MAX_MESSAGE_BYTES {
            return Err(EngineError::MessageTooLong(text.len()));
        }
        let mut state = state;
        state.turns += 1;
        let mut t = TurnBuilder {
            ctx,
            replies: Vec::new(),
            events: Vec::new(),
            said: 0,
            asked: false,
            filled: Vec::new(),
            missing: None,
        };
        t.event(Event::UserMessage { text: text.to_string() });
        if state.mode == Mode::HandedOff {
            return Ok(Turn { replies: t.replies, events: t.events, parse: None, state });
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
        Ok(Turn { replies: t.replies, events: t.events, parse: Some(parse), state })
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
        if is(&d.handoff_intent) || d.handoff_intent.is_some() && answers::asks_for_person(text) {
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
        // "go for it" is not "stop", whatever the classifier hears.
        let agrees = answers::yes_no(text) == Some(true);
        if !answers_question && !agrees && is(&d.stop_intent) && !state.stack.is_empty() {
            for frame in std::mem::take(&mut state.stack).into_iter().rev() {
                t.event(Event::FlowCancelled { flow: frame.flow });
            }
            t.say(self.renderer.render("stopped", &state.slots, t.seed()));
            return Ok(());
        }
        // "what do you have next sat?" asks for times, not for help.
        if !answers_question && is(&d.help_intent) && answers::asks_for_times(text).is_none() {
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
                        self.set_slot(
                            state,
                            t,
                            "datetime",
                            EntityValue::Time { value: at, grain: Grain::Minute },
                        );
                        return self.run(state, t).await;
                    }
                }
                let meaning = self.meaning_unprompted(state, parse, text);
                if !matches!(meaning, Meaning::StartFlow(_)) {
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
                                self.question_clause_answer(parse, text)
                            {
                                self.answer_knowledge(state, entry, score, text, t).await;
                            }
                        }
                        return self.start_flow(state, f, parse, text, t).await;
                    }
                    Meaning::Knowledge { entry, score } => {
                        self.answer_knowledge(state, entry, score, text, t).await
                    }
                    Meaning::KnowledgeChoices(entries) => self.offer_kb_choices(state, &entries, t),
                    Meaning::KnowledgeUnknown => self.kb_unknown(state, text, t),
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

    /// What a message means when no question is pending: the classifier's
    /// [`Engine::meaning`], read again against what the message says.
    fn meaning_unprompted(&self, state: &ConversationState, parse: &Parse, text: &str) -> Meaning {
        let meaning = self.meaning(state, parse, text);
        let vague = matches!(meaning, Meaning::Nothing | Meaning::KnowledgeUnknown);
        let unplaced = vague || matches!(meaning, Meaning::KnowledgeChoices(_));
        let chat = vague || matches!(meaning, Meaning::Respond(_));
        let start = |action: &str| self.flow_for(action).map(Meaning::StartFlow);
        let reread = match meaning {
            // "actually can we do friday instead? same time"
            _ if vague && self.moves_booking(state, parse, text) => start("reschedule_booking"),
            // "oh no, can't make it after all"
            _ if vague && self.calls_off_booking(state, parse, text) => start("cancel_booking"),
            // "I'm at my sister's friday. can you cancel that please":
            // cancelling, whatever moving the classifier hears.
            Meaning::StartFlow(f)
                if self.flows[f].runs("reschedule_booking") && answers::says_cancel(text) =>
            {
                start("cancel_booking")
            }
            // "hi, what do you have next sat?": a booking begins.
            _ if (unplaced || chat) && answers::asks_for_times(text).is_some() => start("create_booking"),
            // "Looking to get my roots done, the grey is coming through": a
            // service wanted, said as a statement.
            _ if unplaced
                && !knowledge::is_question(text)
                && (has(parse, "service") || self.service_by_words(text, 2).is_some()) =>
            {
                start("create_booking")
            }
            // "hey u guys free sat for a blowdry? 11ish" is a booking,
            // whatever greeting the classifier hears in it.
            _ if chat && has(parse, "service") && has(parse, "datetime") => start("create_booking"),
            _ => None,
        };
        reread.unwrap_or(meaning)
    }

    fn meaning(&self, state: &ConversationState, parse: &Parse, text: &str) -> Meaning {
        if let Some(i) = &parse.intent {
            if let Some(id) = i.intent.strip_prefix(KNOWLEDGE_INTENT_PREFIX) {
                if let Some(entry) = self.knowledge.iter().position(|k| k.id == id) {
                    return kb_meaning(self.kb_for_intent(state, parse, entry, i.confidence, text));
                }
            }
            if i.intent == KB_CHOICE_INTENT {
                let chosen = parse.entities.iter().find(|e| e.entity == KB_CHOICE_ENTITY);
                if let Some(entry) = chosen.and_then(|c| self.knowledge.iter().position(|k| k.id == c.text)) {
                    return Meaning::Knowledge { entry, score: 1.0 };
                }
            }
            if let Some(f) = self.flows.iter().position(|f| f.triggers.contains(&i.intent)) {
                // "can i get a gift card for my mom?" is a question the
                // knowledge base answers, whatever booking the classifier
                // half-hears in it.
                // Not a flow that changes a booking: "can you cancel it?" asks for that.
                let changes =
                    self.flows[f].runs("cancel_booking") || self.flows[f].runs("reschedule_booking");
                // "what happens if I have to cancel last minute?" asks about
                // the policy, however sure the classifier is of cancelling.
                if changes && knowledge::asks_what_if(text) {
                    if let answer @ KbOutcome::Answer { .. } = self.kb_lookup(state, parse, text) {
                        return kb_meaning(answer);
                    }
                }
                if !changes
                    && i.confidence < SURE_OF_FLOW
                    && !has(parse, "service")
                    && knowledge::is_question(text)
                {
                    if let answer @ KbOutcome::Answer { entry, .. } = self.kb_lookup(state, parse, text) {
                        if knowledge::classifier_entry(parse, &self.knowledge)
                            .is_some_and(|(e, _)| e == entry)
                        {
                            return kb_meaning(answer);
                        }
                    }
                }
                return Meaning::StartFlow(f);
            }
            if self.renderer.has(&i.intent) {
                // "hi! is anyone there good with curls?" is a question, whatever
                // greeting opens it; "hi is there any chance of a 30 min
                // remedial on Mon morning?" asks for a booking.
                let books = has(parse, "service") && has(parse, "datetime");
                if knowledge::is_question(text)
                    && text.split_whitespace().count() > QUESTION_AFTER_GREETING
                    && !books
                {
                    if let kb @ (KbOutcome::Answer { .. } | KbOutcome::Choices(_) | KbOutcome::Unknown) =
                        self.kb_lookup(state, parse, text)
                    {
                        return kb_meaning(kb);
                    }
                }
                return Meaning::Respond(i.intent.clone());
            }
        }
        if parse.intent.is_some() {
            // Understood, but nothing to do with it here (a "yes" out of context).
            return Meaning::Nothing;
        }
        kb_meaning(self.kb_lookup(state, parse, text))
    }

    /// Whether a message without an intent moves the booking just made: a
    /// new day or time with words of change ("actually can we do friday
    /// instead? same time").
    fn moves_booking(&self, state: &ConversationState, parse: &Parse, text: &str) -> bool {
        const CHANGE: &[&str] = &[
            "instead",
            "move",
            "change",
            "push",
            "switch",
            "reschedule",
            "rather",
            "same time",
            "earlier",
            "later",
        ];
        self.about_booking_just_made(state, parse, text, CHANGE).is_some_and(|said| !said.is_empty())
    }

    /// What a message says about when, if it is about the booking just made:
    /// the conversation booked, no flow is running, and the message has one
    /// of `words`.
    fn about_booking_just_made(
        &self,
        state: &ConversationState,
        parse: &Parse,
        text: &str,
        words: &[&str],
    ) -> Option<when::WhenSaid> {
        if !booking_just_made(state) {
            return None;
        }
        let n = answers::normalise(text);
        words
            .iter()
            .any(|w| answers::contains_phrase(&n, w))
            .then(|| when::read(parse, text, self.tz, &self.spec.business.hours, false))
    }

    /// The time of the booking just made, moved as the message asks: by a
    /// duration with a direction ("push it back an hour", "30 mins
    /// earlier") or a week ("same time next week").
    fn shifted_booking_time(
        &self,
        state: &ConversationState,
        parse: &Parse,
        text: &str,
    ) -> Option<DateTime<Utc>> {
        if !booking_just_made(state) {
            return None;
        }
        let Some(EntityValue::Time { value: booked, .. }) = state.slots.get("booking_time") else {
            return None;
        };
        let n = answers::normalise(text);
        let shift = when::booking_shift(parse, &n)?;
        let moved = booked.with_timezone(&Utc) + shift;
        Some(moved)
    }

    /// Whether a message without an intent calls off the booking just made:
    /// words of calling off and no new time ("can u scrap that, the party's
    /// off", "I won't make it after all").
    fn calls_off_booking(&self, state: &ConversationState, parse: &Parse, text: &str) -> bool {
        const CALL_OFF: &[&str] = &[
            "cancel",
            "scrap",
            "call off",
            "call it off",
            "can't make it",
            "cant make it",
            "can't come",
            "cant come",
            "cannot come",
            "can't attend",
            "cant attend",
            "not coming",
            "unable to come",
            "won't be able to come",
            "wont be able to come",
            "won't make it",
            "wont make it",
            "not make it",
            "unbook",
            "delete",
            "remove it",
            "remove that",
            "drop it",
            "drop that",
            "forget it",
            "forget that",
            "don't need it",
            "dont need it",
            "no longer need",
        ];
        self.about_booking_just_made(state, parse, text, CALL_OFF).is_some_and(|said| said.is_empty())
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

    pub(super) fn set_slot(
        &self,
        state: &mut ConversationState,
        t: &mut TurnBuilder<'_>,
        name: &str,
        value: EntityValue,
    ) {
        t.event(Event::SlotSet { name: name.to_string(), value: value.display() });
        t.filled.push(name.to_string());
        state.slot_turns.insert(name.to_string(), state.turns);
        state.slots.insert(name.to_string(), value);
    }

    pub(super) fn slot_type(&self, slot: &str) -> &str {
        self.spec.slots.iter().find(|s| s.name == slot).map_or("text", |s| s.entity.as_str())
    }

    pub(super) fn flow_index(&self, name: &str) -> Option<usize> {
        self.flows.iter().position(|f| f.name == name)
    }

    async fn answer_slot(
        &self,
        state: &mut ConversationState,
        parse: &Parse,
        text: &str,
        slot: &str,
        t: &mut TurnBuilder<'_>,
    ) -> Result<(), EngineError> {
        let meaning = self.meaning(state, parse, text);
        if self.slot_type(slot) == "text" {
            if matches!(meaning, Meaning::Nothing) {
                state.failures = 0;
                self.set_slot(state, t, slot, EntityValue::Text { value: text.to_string() });
                return self.resume(state, &Filled::default(), t).await;
            }
            return self.digress(state, meaning, parse, text, t).await;
        }
        // Another flow asked for ("actually, cancel my appointment") wins,
        // unless the message answers the question and the classifier is
        // unsure ("Saturday at 2pm" is no new booking when asked when to
        // move one).
        if let Meaning::StartFlow(f) = meaning {
            let sure = parse.intent.as_ref().is_some_and(|i| i.confidence >= 0.85);
            if self.is_other_flow(state, f)
                && (sure || !self.answers_slot(parse, text, slot))
                && !self.corrects_booking_in_progress(state, f, parse, text)
            {
                return self.digress(state, meaning, parse, text, t).await;
            }
        }
        // "what time do you close on saturdays?", "how long does that
        // take? i have to grab my kids at 3": a question the classifier
        // puts on an entry is answered, and only what the rest of the
        // message says is taken ("can we do 1pm instead?" and "what times
        // do you have on thursday?" are about the booking).
        let asked = answers::asks_for_times(text);
        if let Meaning::Knowledge { entry, score } = meaning {
            let classified =
                parse.intent.as_ref().and_then(|i| i.intent.strip_prefix(KNOWLEDGE_INTENT_PREFIX))
                    == Some(self.knowledge[entry].id.as_str());
            if classified && knowledge::is_question(text) && asked.is_none() {
                self.answer_knowledge(state, entry, score, text, t).await;
                let (rest_parse, rest) = knowledge::outside_questions(parse, text);
                let filled = self.absorb(state, &rest_parse, &rest, Some(slot), t);
                if filled.any() {
                    state.failures = 0;
                    return self.resume(state, &filled, t).await;
                }
                self.ask_again(state, t);
                return Ok(());
            }
        }
        if matches!(asked, Some(TimesAsked::Earliest | TimesAsked::Latest)) {
            // "what's the earliest you have wed?": that day's first free
            // time; "as late as you can do": its last, at any prompt.
            let mut filled = self.absorb(state, parse, text, Some(slot), t);
            if self.take_first_or_last(state, text, asked == Some(TimesAsked::Latest), t).await {
                match self.slot_type(slot) {
                    "datetime" => filled.new.push(slot.to_string()),
                    _ => filled.changed.push("datetime".to_string()),
                }
                state.failures = 0;
                return self.resume(state, &filled, t).await;
            }
        }
        let filled = self.absorb(state, parse, text, Some(slot), t);
        if filled.any() {
            state.failures = 0;
            return self.resume(state, &filled, t).await;
        }
        if let Some(asked) = asked {
            return self.offer_times(state, asked, t).await;
        }
        self.digress(state, meaning, parse, text, t).await
    }

    /// Whether a message the classifier reads as moving a booking
    /// ("sorry i meant thursday not tuesday, same time") changes the booking
    /// being made: nothing is booked yet in this conversation, the active
    /// flow books, and the message says when.
    fn corrects_booking_in_progress(
        &self,
        state: &ConversationState,
        other: usize,
        parse: &Parse,
        text: &str,
    ) -> bool {
        let active_books = state
            .stack
            .last()
            .and_then(|fr| self.flow_index(&fr.flow))
            .is_some_and(|f| self.flows[f].runs("create_booking"));
        let other_moves = self.flows[other].runs("reschedule_booking");
        active_books
            && other_moves
            && state.bookings.is_empty()
            && !when::read(parse, text, self.tz, &self.spec.business.hours, false).is_empty()
    }

    fn is_other_flow(&self, state: &ConversationState, flow: usize) -> bool {
        state.stack.last().and_then(|fr| self.flow_index(&fr.flow)) != Some(flow)
    }

    /// Runs the active flow on after an answer: from the earliest step a
    /// correction touched, else from the step that waited (which moves on
    /// once its slot is filled).
    async fn resume(
        &self,
        state: &mut ConversationState,
        filled: &Filled,
        t: &mut TurnBuilder<'_>,
    ) -> Result<(), EngineError> {
        let Some(frame) = state.stack.last() else {
            return Ok(());
        };
        let Some(f) = self.flow_index(&frame.flow) else {
            return Ok(());
        };
        let step = self.rewind_step(&self.flows[f], filled, frame);
        self.rewind(state, step, t).await
    }

    async fn answer_confirmation(
        &self,
        state: &mut ConversationState,
        parse: &Parse,
        text: &str,
        t: &mut TurnBuilder<'_>,
    ) -> Result<(), EngineError> {
        let intent = parse.intent.as_ref().map(|i| i.intent.as_str());
        let yes = yes_no(text, intent, &self.spec);
        if let (None, Meaning::StartFlow(f)) = (yes, self.meaning(state, parse, text)) {
            // "oh wait, can we do Saturday instead?" before anything is
            // booked changes this booking.
            if self.is_other_flow(state, f) && !self.corrects_booking_in_progress(state, f, parse, text) {
                return self.digress(state, Meaning::StartFlow(f), parse, text, t).await;
            }
        }
        // "No, make it 4pm": a correction, then the question again.
        let filled = self.absorb(state, parse, text, None, t);
        if filled.any() {
            state.failures = 0;
            return self.resume(state, &filled, t).await;
        }
        let Some(yes) = yes else {
            if let Some(asked) = answers::asks_for_times(text) {
                return self.offer_times(state, asked, t).await;
            }
            let meaning = self.meaning(state, parse, text);
            return self.digress(state, meaning, parse, text, t).await;
        };
        state.failures = 0;
        let Some(frame) = state.stack.last_mut() else {
            return Ok(());
        };
        frame.waiting = None;
        frame.attempts = 0;
        let flow = &self.flows[self.flow_index(&frame.flow).expect("frames name compiled flows")];
        let (on_yes, on_no) = match &flow.steps[frame.step] {
            Step::Confirm { on_yes, on_no, .. } => (*on_yes, *on_no),
            _ => (None, None),
        };
        if !yes && on_no.is_none() {
            // Ask what to change rather than drop everything.
            frame.waiting = Some(Waiting::Change);
            t.say(self.renderer.render("change_what", &state.slots, t.seed()));
            return Ok(());
        }
        let next = if yes { on_yes.unwrap_or(flow.next[frame.step]) } else { on_no.unwrap_or(Target::End) };
        self.jump(state, next);
        self.run(state, t).await
    }

    /// The answer to "what would you like to change?": the corrected
    /// values, a "nothing, go ahead" or a "forget it".
    async fn answer_change(
        &self,
        state: &mut ConversationState,
        parse: &Parse,
        text: &str,
        t: &mut TurnBuilder<'_>,
    ) -> Result<(), EngineError> {
        let filled = self.absorb(state, parse, text, None, t);
        if filled.any() {
            state.failures = 0;
            return self.resume(state, &filled, t).await;
        }
        let intent = parse.intent.as_ref().map(|i| i.intent.as_str());
        match yes_no(text, intent, &self.spec) {
            Some(false) => {
                if let Some(frame) = state.stack.pop() {
                    t.event(Event::FlowCancelled { flow: frame.flow });
                }
                t.say(self.renderer.render("stopped", &state.slots, t.seed()));
                self.ask_again(state, t);
                Ok(())
            }
            Some(true) => {
                if let Some(frame) = state.stack.last_mut() {
                    frame.waiting = None;
                }
                self.run(state, t).await
            }
            None => {
                let meaning = self.meaning(state, parse, text);
                self.digress(state, meaning, parse, text, t).await
            }
        }
    }

    /// A message that does not answer the pending question.
    async fn digress(
        &self,
        state: &mut ConversationState,
        meaning: Meaning,
        parse: &Parse,
        text: &str,
        t: &mut TurnBuilder<'_>,
    ) -> Result<(), EngineError> {
        match meaning {
            Meaning::StartFlow(f) => {
                let current = state.stack.last().and_then(|fr| self.flow_index(&fr.flow));
                if current == Some(f) {
                    self.ask_again(state, t);
                    return Ok(());
                }
                self.start_flow(state, f, parse, text, t).await
            }
            Meaning::Knowledge { entry, score } => {
                self.answer_knowledge(state, entry, score, text, t).await;
                self.ask_again(state, t);
                Ok(())
            }
            Meaning::KnowledgeChoices(entries) => {
                self.offer_kb_choices(state, &entries, t);
                Ok(())
            }
            Meaning::Respond(name) => {
                t.say(self.renderer.render(&name, &state.slots, t.seed()));
                self.ask_again(state, t);
                Ok(())
            }
            Meaning::Nothing | Meaning::KnowledgeUnknown => {
                let Some(frame) = state.stack.last_mut() else {
                    return Ok(());
                };
                frame.attempts += 1;
                let attempts = frame.attempts;
                let flow = &self.flows[self.flow_index(&frame.flow).expect("frames name compiled flows")];
                let day_only = matches!(state.slots.get("datetime"), Some(EntityValue::Time { grain, .. }) if *grain >= Grain::Day);
                let (max, reprompt) = match (&flow.steps[frame.step], &frame.waiting) {
                    (Step::Collect { slot, max_attempts, .. }, _) if slot == "datetime" && day_only => {
                        (*max_attempts, "ask_time".to_string())
                    }
                    (Step::Collect { max_attempts, reprompt, prompt, .. }, _) => {
                        (*max_attempts, reprompt.clone().unwrap_or_else(|| prompt.clone()))
                    }
                    (_, Some(Waiting::Change)) => (3, "change_what".to_string()),
                    _ => (3, "ask_yes_no".to_string()),
                };
                if attempts >= max {
                    let name = flow.name.clone();
                    state.stack.pop();
                    t.event(Event::FlowCancelled { flow: name });
                    t.event(Event::OutOfScope { text: text.to_string() });
                    t.say(self.renderer.render("flow_failed", &state.slots, t.seed()));
                    state.failures = self.spec.dialog.handoff_after_failures.max(1) - 1;
                    self.not_understood_offer(state, t);
                    return Ok(());
                }
                t.say(self.renderer.render(&reprompt, &state.slots, t.seed()));
                Ok(())
            }
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

    /// Asks the pending question of the active flow again, if there is one.
    pub(super) fn ask_again(&self, state: &mut ConversationState, t: &mut TurnBuilder<'_>) {
        let Some(frame) = state.stack.last() else {
            return;
        };
        if frame.waiting.is_none() {
            return;
        }
        let Some(flow) = self.flow_index(&frame.flow).map(|f| &self.flows[f]) else {
            return;
        };
        let reply = match &flow.steps[frame.step] {
            Step::Collect { prompt, .. } => self.renderer.render(prompt, &state.slots, t.seed()),
            Step::Confirm { .. } if frame.waiting == Some(Waiting::Change) => {
                self.renderer.render("change_what", &state.slots, t.seed())
            }
            Step::Confirm { response, .. } => self.confirm_reply(response, &state.slots, t.seed()),
            _ => return,
        };
        t.say(reply);
    }

    fn confirm_reply(&self, response: &str, slots: &BTreeMap<String, EntityValue>, seed: u64) -> Reply {
        let mut reply = self.renderer.render(response, slots, seed);
        if reply.buttons.is_empty() {
            reply.buttons = yes_no_buttons();
        }
        reply
    }

    async fn start_flow(
        &self,
        state: &mut ConversationState,
        flow: usize,
        parse: &Parse,
        text: &str,
        t: &mut TurnBuilder<'_>,
    ) -> Result<(), EngineError> {
        state.failures = 0;
        self.forget_old_answers(state, &self.flows[flow]);
        self.push_flow(state, flow, t);
        self.absorb(state, parse, text, None, t);
        self.run(state, t).await
    }

    /// Puts flow `flow` on top of the stack, at its first step.
    fn push_flow(&self, state: &mut ConversationState, flow: usize, t: &mut TurnBuilder<'_>) {
        let name = self.flows[flow].name.clone();
        t.event(Event::FlowStarted { flow: name.clone() });
        state.stack.push(FlowFrame {
            flow: name,
            step: 0,
            waiting: None,
            attempts: 0,
            started_turn: state.turns,
            visited: Vec::new(),
        });
    }

    pub(super) async fn rewind(
        &self,
        state: &mut ConversationState,
        step: usize,
        t: &mut TurnBuilder<'_>,
    ) -> Result<(), EngineError> {
        if let Some(frame) = state.stack.last_mut() {
            frame.step = step;
            frame.waiting = None;
            frame.attempts = 0;
        }
        state.failures = 0;
        self.run(state, t).await
    }

    /// Where a flow goes after an action outcome its step does not route:
    /// on for a success (or any outcome of a host action but `failed`), back
    /// to the question whose answer is missing or unavailable, the step's
    /// `failed` branch otherwise; `None` when the flow must end there.
    fn unhandled_outcome(
        &self,
        flow: &Flow,
        action: &str,
        outcome: &str,
        t: &TurnBuilder<'_>,
    ) -> Option<Target> {
        const SUCCESS: [(&str, &str); 5] = [
            ("check_availability", "available"),
            ("create_booking", "booked"),
            ("find_booking", "found"),
            ("cancel_booking", "cancelled"),
            ("reschedule_booking", "rescheduled"),
        ];
        let index = flow.steps.iter().position(|s| matches!(s, Step::Action { name, .. } if name == action));
        let on_next = index.map_or(Target::End, |i| flow.next[i]);
        let builtin = BUILTIN_ACTIONS.contains(&action);
        if SUCCESS.contains(&(action, outcome)) || !builtin && outcome != "failed" {
            return Some(on_next);
        }
        let back = match outcome {
            "missing" => t.missing.as_deref().and_then(|slot| flow.collect_step(slot)),
            "needs_time" | "unavailable" => flow.collect_step("datetime"),
            "unknown_service" => flow.collect_step("service"),
            _ => None,
        };
        back.map(Target::Step).or_else(|| match &flow.steps[index?] {
            Step::Action { on, .. } => on.get("failed").copied(),
            _ => None,
        })
    }

    /// After a nested flow ended: when it took a slot the waiting flow had
    /// (both collect a time), the waiting flow goes back to the first step
    /// on its path whose slot is now missing instead of asking a question
    /// that names it. Returns whether it did.
    fn recollect(&self, state: &mut ConversationState) -> bool {
        let Some(frame) = state.stack.last_mut() else {
            return false;
        };
        let Some(flow) = self.flows.iter().find(|f| f.name == frame.flow) else {
            return false;
        };
        let lost = frame.visited.iter().copied().filter(|&i| i < frame.step).find(
            |&i| matches!(&flow.steps[i], Step::Collect { slot, .. } if !state.slots.contains_key(slot)),
        );
        match lost {
            Some(step) => {
                frame.step = step;
                frame.waiting = None;
                frame.attempts = 0;
                true
            }
            None => false,
        }
    }

    /// Ends the active flow after an action failed, saying so.
    fn fail_flow(&self, state: &mut ConversationState, response: &str, t: &mut TurnBuilder<'_>) {
        if let Some(frame) = state.stack.pop() {
            t.event(Event::FlowCancelled { flow: frame.flow });
        }
        t.say(self.renderer.render(response, &state.slots, t.seed()));
        self.ask_again(state, t);
    }

    fn jump(&self, state: &mut ConversationState, target: Target) {
        if let Some(frame) = state.stack.last_mut() {
            frame.step = match target {
                Target::Step(i) => i,
                Target::End => usize::MAX,
            };
        }
    }

    /// Runs the active flow until it waits for the user or ends.
    async fn run(&self, state: &mut ConversationState, t: &mut TurnBuilder<'_>) -> Result<(), EngineError> {
        for _ in 0..MAX_STEPS_PER_TURN {
            let Some(frame) = state.stack.last() else {
                return Ok(());
            };
            if frame.waiting.is_some() {
                return Ok(());
            }
            let f = self.flow_index(&frame.flow).expect("frames name compiled flows");
            let flow = &self.flows[f];
            let index = frame.step;
            if index >= flow.steps.len() {
                state.stack.pop();
                t.event(Event::FlowCompleted { flow: flow.name.clone() });
                if self.recollect(state) {
                    continue;
                }
                self.ask_again(state, t);
                if state.stack.last().is_some_and(|fr| fr.waiting.is_some()) {
                    return Ok(());
                }
                continue;
            }
            if let Some(fr) = state.stack.last_mut() {
                if !fr.visited.contains(&index) {
                    fr.visited.push(index);
                }
            }
            let mut next = flow.next[index];
            match &flow.steps[index] {
                Step::Collect { slot, prompt, ask_always, .. } => {
                    let needs_time = slot == "datetime"
                        && matches!(state.slots.get(slot), Some(EntityValue::Time { grain, .. }) if *grain >= Grain::Day)
                        && !state.slots.contains_key(WINDOW_SLOT);
                    // `ask_always` asks afresh unless the customer said it
                    // since the flow started.
                    let started = state.stack.last().map_or(state.turns, |fr| fr.started_turn);
                    let fresh =
                        !ask_always || state.slot_turns.get(slot).is_some_and(|turn| *turn >= started);
                    if state.slots.contains_key(slot) && fresh && !needs_time {
                        self.jump(state, next);
                        continue;
                    }
                    if needs_time {
                        self.ask_time_of_day(state, t).await;
                    } else {
                        if !std::mem::take(&mut t.asked) {
                            t.say(self.renderer.render(prompt, &state.slots, t.seed()));
                        }
                        if *ask_always {
                            state.slots.remove(slot);
                        }
                    }
                    if let Some(fr) = state.stack.last_mut() {
                        fr.waiting = Some(Waiting::Slot { slot: slot.clone() });
                    }
                    return Ok(());
                }
                Step::Confirm { response, .. } => {
                    t.say(self.confirm_reply(response, &state.slots, t.seed()));
                    if let Some(fr) = state.stack.last_mut() {
                        fr.waiting = Some(Waiting::Confirmation);
                    }
                    return Ok(());
                }
                Step::Action { name, on } => {
                    let outcome = self.run_action(name, state, t).await;
                    next = match on.get(&outcome) {
                        Some(target) => *target,
                        None => match self.unhandled_outcome(flow, name, &outcome, t) {
                            Some(target) => target,
                            None => {
                                let response =
                                    if outcome == "none" { "booking_not_found" } else { "action_failed" };
                                self.fail_flow(state, response, t);
                                continue;
                            }
                        },
                    };
                }
                Step::Branch(arms) => {
                    if let Some((_, target)) = arms.iter().find(|(cond, _)| match cond {
                        None => true,
                        Some(c) => {
                            let value = state.slots.get(&c.slot);
                            c.is_set.is_none_or(|want| value.is_some() == want)
                                && c.equals
                                    .as_ref()
                                    .is_none_or(|want| value.is_some_and(|v| v.display() == *want))
                        }
                    }) {
                        next = *target;
                    }
                }
                Step::Say(response) => t.say(self.renderer.render(response, &state.slots, t.seed())),
                Step::Handoff(reason) => {
                    self.hand_off(state, t, reason);
                    return Ok(());
                }
                Step::End => next = Target::End,
            }
            self.jump(state, next);
        }
        let name = state.stack.last().map(|f| f.flow.clone()).unwrap_or_default();
        Err(EngineError::FlowLoop(name))
    }
}
