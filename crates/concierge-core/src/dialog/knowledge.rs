//! Answering from the knowledge base: confident answers, choices when
//! unsure, an honest "I don't know" when nothing fits.
//!
//! The engine's [`KnowledgeSearch`](crate::knowledge::KnowledgeSearch)
//! (BM25 over the spec's entries unless the host registers another one with
//! [`EngineBuilder::knowledge_search`](super::EngineBuilder::knowledge_search))
//! ranks entries for messages the intent classifier did not place. Hits
//! carry a 0-1 confidence (`coverage`):
//! - at least [`CONFIDENT`] and clearly ahead of the runner-up: the entry's
//!   answer, with a `kb_answer` event naming the entry and its source;
//! - at least [`UNSURE`]: two or three choices as buttons, whose payload
//!   answers the chosen entry;
//! - some words in common but below [`UNSURE`], for a question: the
//!   `kb_unknown` response and an offer of a person.
//!
//! With a [`LanguageModel`](crate::language_model::LanguageModel), answers
//! are worded by the model from the top entries (a grounded prompt); the
//! event still names the best entry and its source, and the entry's own text
//! is used when the model fails or answers nothing.

use super::answers;
use super::event::{Button, Event, Reply};
use super::render::Renderer;
use super::turn::TurnBuilder;
use std::collections::HashSet;

use super::state::{ConversationState, LastAnswer};
use crate::knowledge::{misspelling_edits, terms, Hit, KnowledgeEntry, KnowledgeSearch, Term};
use crate::language_model::{CompletionRequest, LanguageModel, PromptMessage};
use crate::lexicon::{self, ConceptId};
use crate::nlu::entities::bounded_distance;
use crate::nlu::words::questions::{
    CONNECTIVES, HYPOTHETICAL, INVERTING_VERBS, POINTERS, QUESTION_LEADS, QUESTION_STARTS, SUBJECTS,
};
use crate::nlu::{EntityValue, Parse, KNOWLEDGE_INTENT_PREFIX};
use crate::spec::ServiceSpec;

/// The confidence from which the best entry is given as the answer.
pub const CONFIDENT: f32 = 0.6;
/// The confidence from which entries are offered as choices.
pub const UNSURE: f32 = 0.35;
/// The confidence from which the best entry answers a question when it is
/// far ahead of the others (see [`decide`]).
const CONFIDENT_LEAD: f32 = 0.4;
/// How far ahead that is: the runner-up scores at most this share of the best.
const FAR_AHEAD: f32 = 0.6;
/// The classifier's confidence from which its best knowledge entry counts
/// as agreeing with the search.
const AGREEING: f32 = 0.1;
/// The fewest words of a question clause searched on its own.
const MIN_CLAUSE_WORDS: usize = 4;
/// A runner-up this far behind (a share of the best score) leaves the best
/// entry alone in the field: a question is answered from [`ALONE_COVERAGE`].
const ALONE: f32 = 0.4;
/// The least coverage of an entry alone in the field.
const ALONE_COVERAGE: f32 = 0.25;
/// A search score (BM25 over the knowledge base) that says many of the
/// question's words match, whatever else the message says.
const STRONG_SCORE: f32 = 7.0;
/// The least coverage of an entry that the classifier agrees on.
const AGREED_COVERAGE: f32 = 0.2;
/// The similarity from which the paraphrase search's best entry answers a
/// question when the lexical search or the classifier ranks it first too,
/// and [`PARAPHRASE_LEAD`] ahead of the next. Measured on the conversation
/// suites' knowledge questions and CLINC150's out-of-scope validation
/// sentences (all-MiniLM-L6-v2 cosine): alone, without that agreement, it
/// answers as many questions wrongly as it adds.
const PARAPHRASE_AGREED: f32 = 0.45;
/// How far ahead of the next entry that is.
const PARAPHRASE_LEAD: f32 = 0.05;
/// The most words a follow-up question has.
const FOLLOW_UP_WORDS: usize = 12;
/// The intent of a choice button's payload; its `kb_entry` entity names the entry.
pub const KB_CHOICE_INTENT: &str = "kb_choice";
/// The entity of a choice button's payload.
pub(crate) const KB_CHOICE_ENTITY: &str = "kb_entry";
/// How many choices are offered at most.
const MAX_CHOICES: usize = 3;
/// How many entries a language model is given to word an answer from.
const PROMPT_ENTRIES: usize = 3;

/// What the knowledge base makes of a message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum KbOutcome {
    /// One entry answers it.
    Answer { entry: usize, score: f32 },
    /// Several could: let the user choose.
    Choices(Vec<usize>),
    /// It is a question about something the knowledge base does not cover.
    Unknown,
    /// Not a knowledge question.
    Nothing,
}

/// Whether `text` reads like a question: it has a question mark, or one of
/// its clauses opens like a question ("my daughter needs a trim, do you
/// take kids that young").
pub(crate) fn is_question(text: &str) -> bool {
    text.contains('?') || text.split([',', '.', '!', ';']).any(|c| opens_like_question(c) || inverts(c))
}

/// Whether `clause` puts a helping verb before its subject, as questions do
/// wherever they start ("for knotless do i gotta bring my own hair"); not
/// after a subject ("if she has it"), nor after "so", "nor", "as" or "than"
/// ("so do i").
fn inverts(clause: &str) -> bool {
    let n = answers::normalise(clause);
    let words: Vec<&str> = n.split(' ').collect();
    words.windows(2).enumerate().any(|(i, pair)| {
        let before = i.checked_sub(1).map(|j| words[j]);
        INVERTING_VERBS.contains(&pair[0])
            && SUBJECTS.contains(&pair[1])
            && !(matches!(pair[0], "have" | "has") && pair[1] == "it")
            && !before.is_some_and(|w| {
                SUBJECTS.contains(&w) || matches!(w, "so" | "nor" | "neither" | "as" | "than" | "if")
            })
    })
}

/// Whether `c` ends a clause: punctuation or an emoji ("they butcher them
/// 😅 is anyone good at curls?").
fn ends_clause(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | ';' | ',') || answers::is_symbol(c)
}

/// Whether `clause` is a question: it ends with a question mark or opens
/// like one.
fn is_question_clause(clause: &str) -> bool {
    clause.trim_end().ends_with('?') || opens_like_question(clause) || inverts(clause)
}

/// The message with its question clauses blanked out (byte offsets kept),
/// with the entities found outside them: what the rest of "how long does
/// that take? i have to grab my kids at 3" says.
pub(crate) fn outside_questions(parse: &Parse, text: &str) -> (Parse, String) {
    let asked = question_clauses(text);
    let mut rest = text.to_owned();
    for clause in &asked {
        rest.replace_range(clause.clone(), &" ".repeat(clause.len()));
    }
    let entities = parse
        .entities
        .iter()
        .filter(|e| !asked.iter().any(|q| e.start < q.end && e.end > q.start))
        .cloned()
        .collect();
    (Parse { entities, ..parse.clone() }, rest)
}

/// Where the question clauses of `text` are, as byte ranges.
pub(crate) fn question_clauses(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut asked = Vec::new();
    let mut at = 0;
    for clause in text.split_inclusive(ends_clause) {
        if is_question_clause(clause) {
            asked.push(at..at + clause.len());
        }
        at += clause.len();
    }
    asked
}

/// Whether a question asks what would happen rather than for it to happen:
/// "what happens if I have to cancel at the last minute?", "is there a fee
/// to reschedule?".
pub(crate) fn asks_what_if(text: &str) -> bool {
    is_question(text) && lexicon::words(text).iter().any(|w| HYPOTHETICAL.contains(&w.as_str()))
}

/// Whether a question clause asks about what already happened ("i got my
/// set on thursday ... did something go wrong??"): no request to book.
pub(crate) fn asks_about_past(text: &str) -> bool {
    question_clauses(text).into_iter().any(|clause| {
        let words = lexicon::words(&text[clause]);
        let first = words.iter().find(|w| !QUESTION_LEADS.contains(&w.as_str()));
        first.is_some_and(|w| matches!(w.as_str(), "did" | "didnt"))
    })
}

/// Whether a clause asks for an appointment ("Can I get an appt with the
/// nurse practitioner?"): a request, not a question for the knowledge base.
pub(crate) fn asks_for_appointment(clause: &str) -> bool {
    let lexicon = lexicon::lexicon();
    let Some(appointment) = lexicon.concept("appointment_need") else {
        return false;
    };
    lexicon.analyse(clause).iter().any(|t| t.concepts.contains(&appointment))
}

/// Whether `clause` opens with a question word, after at most three words
/// that lead into one ("is anyone there good at curls", "oh roughly how
/// long will it take", "random q but do u know").
fn opens_like_question(clause: &str) -> bool {
    let words: Vec<String> = clause
        .split_whitespace()
        .map(|w| w.to_lowercase().trim_matches(|c: char| !c.is_alphanumeric() && c != '\'').to_string())
        .filter(|w| !w.is_empty())
        .take(4)
        .collect();
    let first_other = words.iter().position(|w| !QUESTION_LEADS.contains(&w.as_str()));
    first_other.is_some_and(|i| QUESTION_STARTS.contains(&words[i].as_str()))
}

/// The knowledge entry the classifier ranks first among the entries, with
/// its confidence.
pub(crate) fn classifier_entry(parse: &Parse, knowledge: &[KnowledgeEntry]) -> Option<(usize, f32)> {
    parse.intents.iter().find_map(|i| {
        let id = i.intent.strip_prefix(KNOWLEDGE_INTENT_PREFIX)?;
        Some((knowledge.iter().position(|k| k.id == id)?, i.confidence))
    })
}

/// Decides between answering, offering choices and not knowing, from the
/// search's hits (best first): the best entry answers from [`CONFIDENT`]
/// with a clear lead, and a question from `CONFIDENT_LEAD` when the
/// runner-up is far behind (scores under `FAR_AHEAD` of the best, or
/// matches under [`UNSURE`] of the question).
pub(crate) fn decide(hits: &[Hit], question: bool) -> KbOutcome {
    let Some(top) = hits.first() else {
        return KbOutcome::Nothing;
    };
    let runner_up = hits.get(1);
    let clear_lead = runner_up.is_none_or(|r| {
        r.coverage < top.coverage - 0.15 || r.coverage < UNSURE || r.score < 0.75 * top.score
    });
    if top.coverage >= CONFIDENT && clear_lead {
        return KbOutcome::Answer { entry: top.entry, score: top.coverage };
    }
    let far_ahead = runner_up.is_none_or(|r| r.coverage < UNSURE || r.score < FAR_AHEAD * top.score);
    if question && top.coverage >= CONFIDENT_LEAD && far_ahead {
        return KbOutcome::Answer { entry: top.entry, score: top.coverage };
    }
    if top.coverage >= UNSURE {
        let choices: Vec<usize> =
            hits.iter().filter(|h| h.coverage >= UNSURE).take(MAX_CHOICES).map(|h| h.entry).collect();
        return KbOutcome::Choices(choices);
    }
    if question {
        KbOutcome::Unknown
    } else {
        KbOutcome::Nothing
    }
}

/// Whether `text` is a question that points back at what was just said: it
/// starts like a follow-up ("and", "also", "what about") or refers to it
/// ("is it free?").
fn refers_back(text: &str) -> bool {
    let words = lexicon::words(text);
    let connective = words.first().is_some_and(|w| CONNECTIVES.contains(&w.as_str()));
    let what_about =
        words.get(1).is_some_and(|w| w == "about") && matches!(words[0].as_str(), "what" | "how");
    let question = is_question(text) || (connective && is_question(&words[1..].join(" ")));
    question && (connective || what_about || words.iter().any(|w| POINTERS.contains(&w.as_str())))
}

/// What answering from the knowledge base needs of the engine: the
/// entries, the searches over them, the language model that words answers
/// when there is one, the responses and the business's name.
pub(crate) struct KnowledgeContext<'a> {
    pub(crate) entries: &'a [KnowledgeEntry],
    pub(crate) search: &'a dyn KnowledgeSearch,
    pub(crate) paraphrase_search: Option<&'a dyn KnowledgeSearch>,
    pub(crate) language_model: Option<&'a dyn LanguageModel>,
    pub(crate) renderer: &'a Renderer,
    pub(crate) business_name: &'a str,
    pub(crate) services: &'a [ServiceSpec],
}

impl KnowledgeContext<'_> {
    /// What the knowledge base makes of `text`, in the conversation `state`.
    /// When the search is unsure, a question whose best entry is also the
    /// entry the classifier ranks first ("how late r u open on saturdays")
    /// is answered: two readings agree.
    pub(crate) fn lookup(&self, state: &ConversationState, parse: &Parse, text: &str) -> KbOutcome {
        if self.entries.is_empty() {
            return KbOutcome::Nothing;
        }
        let question = is_question(text);
        let mut outcome = self.settle(parse, text, question);
        if !matches!(outcome, KbOutcome::Answer { .. }) {
            // "hi! my curls are thick, is anyone there good at cutting curls?":
            // the question inside the message, read on its own.
            if let Some(answer) = self.question_clause_answer(parse, text) {
                outcome = answer;
            }
        }
        let outcome = self.in_context(state, text, outcome);
        self.follow_up(state, text, outcome)
    }

    /// The outcome read in the light of the service the conversation is
    /// booking: of choices, the one alone about that service; instead of an
    /// answer about another service, the one entry about that service the
    /// search also finds ("what's the aftercare like?" while booking gel
    /// nails is the nails' aftercare, not the brows').
    fn in_context(&self, state: &ConversationState, text: &str, outcome: KbOutcome) -> KbOutcome {
        let Some(EntityValue::Text { value: id }) = state.slots.get("service") else {
            return outcome;
        };
        let Some(booked) = self.services.iter().find(|s| s.id == *id) else {
            return outcome;
        };
        let names = |entry: usize, service: &ServiceSpec| {
            let k = &self.entries[entry];
            let name = service.name.to_lowercase();
            std::iter::once(&k.title).chain(&k.alternatives).any(|q| q.to_lowercase().contains(&name))
        };
        let about_booked = |entries: &mut dyn Iterator<Item = usize>| -> Option<usize> {
            let found: Vec<usize> = entries.filter(|&e| names(e, booked)).collect();
            (found.len() == 1).then(|| found[0])
        };
        let chosen = match &outcome {
            KbOutcome::Choices(entries) => about_booked(&mut entries.iter().copied()),
            KbOutcome::Answer { entry, .. }
                if !names(*entry, booked)
                    && self.services.iter().any(|s| s.id != booked.id && names(*entry, s)) =>
            {
                let hits = self.search.search(text, MAX_CHOICES + 1);
                about_booked(&mut hits.iter().filter(|h| h.coverage >= UNSURE).map(|h| h.entry))
            }
            _ => None,
        };
        chosen.map_or(outcome, |entry| KbOutcome::Answer { entry, score: UNSURE })
    }

    /// What the search makes of `text`: [`decide`] on its hits, and when
    /// that is unsure, a question answered by an entry the classifier also
    /// ranks first among the entries, or by the only entry its words point
    /// to with no word the knowledge base has never seen ("can my mum get in
    /// with her wheelchair?", not "what's the best pizza place near you?").
    fn settle(&self, parse: &Parse, text: &str, question: bool) -> KbOutcome {
        let hits = self.search.search(text, MAX_CHOICES + 1);
        let outcome = decide(&hits, question);
        if let (KbOutcome::Choices(_) | KbOutcome::Unknown, Some(top)) = (&outcome, hits.first()) {
            let agreed = classifier_entry(parse, self.entries)
                .is_some_and(|(entry, confidence)| entry == top.entry && confidence >= AGREEING);
            let alone = hits.get(1).is_none_or(|r| r.score < ALONE * top.score)
                && top.coverage >= ALONE_COVERAGE
                && !self.has_unknown_words(text);
            // Many matching words well ahead of the rest, however much else
            // the message says ("driving in from jersey on saturday - is
            // there somewhere i can leave the car?").
            let strong =
                top.score >= STRONG_SCORE && hits.get(1).is_none_or(|r| r.score < FAR_AHEAD * top.score);
            if question && (agreed && top.coverage >= AGREED_COVERAGE || alone || strong) {
                return KbOutcome::Answer { entry: top.entry, score: top.coverage };
            }
        }
        if question && !matches!(outcome, KbOutcome::Answer { .. }) {
            if let Some(answer) = self.paraphrase_answer(parse, text, hits.first().map(|h| h.entry)) {
                return answer;
            }
        }
        outcome
    }

    /// The paraphrase search's answer to a question the lexical search is
    /// unsure of ("my 7 yr old is overdue for a trim, do you guys do little
    /// ones?"): its best entry, when `lexical_top` or the classifier ranks
    /// the same entry first. A message that says when ("can we do friday
    /// instead?") is about a booking, not for this.
    fn paraphrase_answer(&self, parse: &Parse, text: &str, lexical_top: Option<usize>) -> Option<KbOutcome> {
        if parse.entities.iter().any(|e| e.entity == "datetime") {
            return None;
        }
        let hits = self.paraphrase_search?.search(text, 2);
        let top = hits.first()?;
        let lead = top.coverage - hits.get(1).map_or(0.0, |h| h.coverage);
        let classified =
            classifier_entry(parse, self.entries).is_some_and(|(e, c)| e == top.entry && c >= AGREEING);
        let agreed = lexical_top == Some(top.entry) || classified;
        (agreed && top.coverage >= PARAPHRASE_AGREED && lead >= PARAPHRASE_LEAD)
            .then_some(KbOutcome::Answer { entry: top.entry, score: top.coverage })
    }

    /// The answer to a question clause of a longer message, when one
    /// clause alone finds one.
    pub(crate) fn question_clause_answer(&self, parse: &Parse, text: &str) -> Option<KbOutcome> {
        // Clauses, then whole sentences ("Is there anything I need to do
        // beforehand, like checking I'm not allergic?").
        let ends_sentence = |c: char| matches!(c, '.' | '!' | '?') || answers::is_symbol(c);
        let mut clauses: Vec<&str> = text
            .split_inclusive(ends_clause)
            .chain(text.split_inclusive(ends_sentence))
            .map(str::trim)
            .filter(|c| c.split_whitespace().count() >= MIN_CLAUSE_WORDS && is_question_clause(c))
            .filter(|c| !asks_for_appointment(c))
            .collect();
        let mut seen = HashSet::new();
        clauses.retain(|c| seen.insert(*c));
        if clauses.len() < 2 && clauses.first().is_none_or(|c| c.len() + 2 >= text.trim().len()) {
            return None;
        }
        clauses.into_iter().find_map(|clause| match self.settle(parse, clause, true) {
            answer @ KbOutcome::Answer { .. } => Some(answer),
            _ => None,
        })
    }

    /// What to make of a message the classifier put on knowledge entry
    /// `entry` with `confidence`: the entry when the classifier is sure (of
    /// a question, or of a fragment the search finds one topic in) or, for
    /// a question, the search agrees it is the best; choices when the search finds
    /// others as close; the search's own answer when it is sure of another.
    pub(crate) fn for_intent(
        &self,
        state: &ConversationState,
        parse: &Parse,
        entry: usize,
        confidence: f32,
        text: &str,
    ) -> KbOutcome {
        let question = is_question(text);
        if confidence >= CONFIDENT && question {
            return self.in_context(state, text, KbOutcome::Answer { entry, score: confidence });
        }
        match self.lookup(state, parse, text) {
            // A sure classifier, on a fragment the search finds two topics
            // in ("products and prices"): let the customer choose.
            KbOutcome::Choices(mut entries) if confidence >= CONFIDENT => {
                if !entries.contains(&entry) || entries.len() < 2 {
                    return KbOutcome::Answer { entry, score: confidence };
                }
                entries.retain(|&e| e != entry);
                entries.insert(0, entry);
                KbOutcome::Choices(entries)
            }
            _ if confidence >= CONFIDENT => KbOutcome::Answer { entry, score: confidence },
            answer @ KbOutcome::Answer { .. } => answer,
            // The classifier's best reading among the search's close
            // choices, for a question ("do I have to pay for it or is it
            // free on the NHS?"): two readings agree.
            KbOutcome::Choices(entries) if entries.contains(&entry) && question => {
                KbOutcome::Answer { entry, score: confidence }
            }
            KbOutcome::Choices(mut entries) => {
                entries.retain(|&e| e != entry);
                if entries.is_empty() {
                    return KbOutcome::Answer { entry, score: confidence };
                }
                entries.insert(0, entry);
                entries.truncate(MAX_CHOICES);
                KbOutcome::Choices(entries)
            }
            KbOutcome::Unknown | KbOutcome::Nothing => KbOutcome::Answer { entry, score: confidence },
        }
    }

    /// The entry answered in the turn just before this one, if any.
    fn previous_answer(&self, state: &ConversationState) -> Option<usize> {
        let last = state.last_answer.as_ref()?;
        if last.turn + 1 != state.turns {
            return None;
        }
        self.entries.iter().position(|k| k.id == last.entry)
    }

    /// A short question right after an answer stays on its entry unless it
    /// clearly asks about another: when the search offers that entry among
    /// choices, or finds nothing sure and the question refers back ("and do
    /// I have to stay with him?") without words the knowledge base has never
    /// seen ("and the weather there?").
    fn follow_up(&self, state: &ConversationState, text: &str, outcome: KbOutcome) -> KbOutcome {
        let Some(previous) = self.previous_answer(state) else {
            return outcome;
        };
        if lexicon::words(text).len() > FOLLOW_UP_WORDS {
            return outcome;
        }
        let stay = KbOutcome::Answer { entry: previous, score: UNSURE };
        match &outcome {
            KbOutcome::Choices(entries) if entries.contains(&previous) => stay,
            KbOutcome::Choices(_) | KbOutcome::Unknown | KbOutcome::Nothing
                if refers_back(text) && !self.has_unknown_words(text) =>
            {
                stay
            }
            _ => outcome,
        }
    }

    /// Whether `text` has an informative word that no knowledge entry
    /// contains, not even through a concept.
    fn has_unknown_words(&self, text: &str) -> bool {
        let query: Vec<Term> = terms(text).into_iter().filter(|t| t.weight >= 1.0).collect();
        if query.is_empty() {
            return false;
        }
        let mut known: HashSet<String> = HashSet::new();
        let mut concepts: HashSet<ConceptId> = HashSet::new();
        for k in self.entries {
            for field in std::iter::once(&k.title).chain(&k.alternatives).chain(std::iter::once(&k.text)) {
                for t in terms(field) {
                    concepts.extend(t.concepts.iter().copied());
                    known.insert(t.stem);
                }
            }
        }
        // A misspelling of a known word ("cancelation") is known, as the
        // search matches it.
        let misspelt = |word: &str| {
            let limit = misspelling_edits(word);
            limit > 0 && known.iter().any(|k| bounded_distance(word, k, limit).is_some())
        };
        query.iter().any(|t| {
            !known.contains(&t.stem) && !t.concepts.iter().any(|c| concepts.contains(c)) && !misspelt(&t.word)
        })
    }

    /// Answers with entry `entry`, worded by the language model when there
    /// is one.
    pub(crate) async fn answer(
        &self,
        state: &mut ConversationState,
        entry: usize,
        score: f32,
        question: &str,
        t: &mut TurnBuilder<'_>,
    ) {
        state.failures = 0;
        let k = &self.entries[entry];
        state.last_answer = Some(LastAnswer { entry: k.id.clone(), turn: state.turns });
        t.event(Event::KbAnswer {
            id: k.id.clone(),
            title: k.title.clone(),
            source: k.source.clone(),
            score,
        });
        let worded = match self.language_model {
            Some(model) => {
                let request = self.grounded_prompt(entry, question);
                match model.complete(&request).await {
                    Ok(answer) if !answer.trim().is_empty() => Some(answer.trim().to_string()),
                    _ => None,
                }
            }
            None => None,
        };
        let text = worded
            .unwrap_or_else(|| self.renderer.fill(&k.text, &state.slots).unwrap_or_else(|| k.text.clone()));
        t.say(Reply { text, buttons: Vec::new() });
    }

    /// A prompt that asks the model to answer `question` from the best entry
    /// and the next ones the search finds, citing nothing else.
    fn grounded_prompt(&self, entry: usize, question: &str) -> CompletionRequest {
        let mut entries = vec![entry];
        for hit in self.search.search(question, PROMPT_ENTRIES + 1) {
            if entries.len() < PROMPT_ENTRIES && !entries.contains(&hit.entry) {
                entries.push(hit.entry);
            }
        }
        let mut material = String::new();
        for (n, &i) in entries.iter().enumerate() {
            let k = &self.entries[i];
            material.push_str(&format!("[{}] {} (source: {})\n{}\n\n", n + 1, k.title, k.source, k.text));
        }
        let system = format!(
            "You answer customers' questions for {}. Use only the knowledge entries given; entry [1] is the \
             best match. If they do not answer the question, say you don't know. Answer in one to three short \
             sentences, without inventing prices, times or policies.",
            self.business_name
        );
        CompletionRequest {
            purpose: "knowledge_answer".into(),
            messages: vec![
                PromptMessage { role: "system".into(), content: system },
                PromptMessage {
                    role: "user".into(),
                    content: format!("Knowledge entries:\n\n{material}Question: {question}"),
                },
            ],
            max_tokens: 200,
        }
    }

    /// Offers `entries` as buttons.
    pub(crate) fn offer_choices(
        &self,
        state: &mut ConversationState,
        entries: &[usize],
        t: &mut TurnBuilder<'_>,
    ) {
        state.failures = 0;
        let mut reply = self.renderer.render("kb_choices", &state.slots, t.seed());
        reply.buttons = entries
            .iter()
            .map(|&i| {
                let k = &self.entries[i];
                Button {
                    title: k.title.clone(),
                    payload: super::payload::encode(KB_CHOICE_INTENT, KB_CHOICE_ENTITY, &k.id),
                }
            })
            .collect();
        t.asked = true;
        t.say(reply);
    }

    /// Says the knowledge base does not cover `text` and offers a person.
    pub(crate) fn unknown(&self, state: &mut ConversationState, text: &str, t: &mut TurnBuilder<'_>) {
        t.event(Event::OutOfScope { text: text.to_string() });
        t.say(self.renderer.render("kb_unknown", &state.slots, t.seed()));
        state.handoff_offered = true;
        let mut offer = self.renderer.render("offer_handoff", &state.slots, t.seed());
        if offer.buttons.is_empty() {
            offer.buttons = super::render::yes_no_buttons();
        }
        t.say(offer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(entry: usize, score: f32, coverage: f32) -> Hit {
        Hit { entry, score, coverage }
    }

    #[test]
    fn decides_by_confidence_and_lead() {
        assert_eq!(
            decide(&[hit(3, 5.0, 0.9), hit(1, 4.9, 0.4)], false),
            KbOutcome::Answer { entry: 3, score: 0.9 }
        );
        assert_eq!(
            decide(&[hit(3, 5.0, 0.9), hit(1, 4.9, 0.85), hit(2, 1.0, 0.5), hit(4, 0.5, 0.1)], false),
            KbOutcome::Choices(vec![3, 1, 2])
        );
        assert_eq!(decide(&[hit(2, 1.0, 0.38)], true), KbOutcome::Choices(vec![2]));
        assert_eq!(decide(&[hit(2, 1.0, 0.4)], true), KbOutcome::Answer { entry: 2, score: 0.4 });
        assert_eq!(decide(&[hit(2, 1.0, 0.2)], true), KbOutcome::Unknown);
        assert_eq!(decide(&[hit(2, 1.0, 0.2)], false), KbOutcome::Nothing);
        assert_eq!(decide(&[], true), KbOutcome::Nothing);
        assert!(
            is_question("Do you do hair extensions") && is_question("nails?") && !is_question("my nails")
        );
        // A question far ahead of the runner-up is answered below CONFIDENT;
        // a statement, or a close runner-up, is not.
        assert_eq!(
            decide(&[hit(0, 9.0, 0.45), hit(1, 4.0, 0.4)], true),
            KbOutcome::Answer { entry: 0, score: 0.45 }
        );
        assert_eq!(decide(&[hit(0, 9.0, 0.45), hit(1, 4.0, 0.4)], false), KbOutcome::Choices(vec![0, 1]));
        assert_eq!(decide(&[hit(0, 9.0, 0.45), hit(1, 8.0, 0.4)], true), KbOutcome::Choices(vec![0, 1]));
    }

    #[test]
    fn questions_are_read_in_their_clauses() {
        assert!(is_question("my daughter needs a trim, do u take kids that little"));
        assert!(is_question("how late r u open on saturdays"));
        assert!(!is_question("my daughter needs a trim"));
        // A helping verb before its subject asks, wherever the clause starts.
        assert!(is_question("for knotless do i gotta bring my own hair or y'all provide it"));
        assert!(!is_question("she loved it so do i"));
        assert!(!is_question("highlights with Maria thursday, late morning if she has it"));
        assert!(!is_question("friday at 3 if you can i'd be grateful"));
        assert!(
            opens_like_question("is anyone there good at curls") && !opens_like_question("City or United?")
        );
        assert!(
            answers::is_symbol('😅')
                && answers::is_symbol('🐶')
                && !answers::is_symbol('é')
                && !answers::is_symbol('?')
        );
    }

    #[test]
    fn follow_ups_are_questions_that_point_back() {
        assert!(refers_back("and do I have to stay with him during it?"));
        assert!(refers_back("is it free?"));
        assert!(refers_back("what about the bathroom?"));
        assert!(!refers_back("ok thanks"));
        assert!(!refers_back("it's Ana Ruiz"));
        assert!(!refers_back("do you sell gift cards?"));
    }
}
