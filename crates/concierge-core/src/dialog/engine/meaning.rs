//! What a message means when no question is pending, or when it does not
//! answer the one asked: a flow to start, a knowledge answer, a response,
//! or nothing. The classifier's intent is read again against what the
//! message says ("can we push it back an hour?" moves the booking just
//! made, "what happens if I cancel?" asks about the policy).

use chrono::{DateTime, Utc};

use super::Engine;
use crate::dialog::answers;
use crate::dialog::knowledge::{self, KbOutcome, KB_CHOICE_ENTITY, KB_CHOICE_INTENT};
use crate::dialog::state::ConversationState;
use crate::dialog::when;
use crate::nlu::words::answers::{BOOKING_CHANGES, CALLING_OFF, YES};
use crate::nlu::words::when::{AROUND_AN_HOUR, DAY_WORDS, MERIDIEM};
use crate::nlu::{EntityValue, Parse, KNOWLEDGE_INTENT_PREFIX};

/// The classifier's confidence from which a flow's intent starts the flow
/// even when the message reads as a question the knowledge base answers.
const SURE_OF_FLOW: f32 = 0.7;

/// The words a greeting with a question after it has at least ("hi! is
/// anyone there good with curls?" is a question, "hi there?" a greeting).
const QUESTION_AFTER_GREETING: usize = 4;

/// How close two intents' confidences are to count as level.
const LEVEL: f32 = 0.05;

/// What a message asks for, outside any pending question.
pub(super) enum Meaning {
    StartFlow(usize),
    Knowledge { entry: usize, score: f32 },
    KnowledgeChoices(Vec<usize>),
    KnowledgeUnknown,
    Respond(String),
    Nothing,
}

pub(super) fn kb_meaning(outcome: KbOutcome) -> Meaning {
    match outcome {
        KbOutcome::Answer { entry, score } => Meaning::Knowledge { entry, score },
        KbOutcome::Choices(entries) => Meaning::KnowledgeChoices(entries),
        KbOutcome::Unknown => Meaning::KnowledgeUnknown,
        KbOutcome::Nothing => Meaning::Nothing,
    }
}

/// Whether the conversation has made a booking and no flow is running, so
/// a message may be about that booking ("push it back an hour").
pub(super) fn booking_just_made(state: &ConversationState) -> bool {
    !state.bookings.is_empty() && state.stack.is_empty()
}

/// Whether the message names an entity of `kind`.
fn has(parse: &Parse, kind: &str) -> bool {
    parse.entities.iter().any(|e| e.entity == kind)
}

/// Whether a message asks something of its own: a question longer than a
/// greeting with a question mark ("hi there?").
pub(super) fn asks_something(text: &str) -> bool {
    knowledge::is_question(text) && text.split_whitespace().count() > QUESTION_AFTER_GREETING
}

impl Engine {
    /// What a message means when no question is pending: the classifier's
    /// [`Engine::meaning`], read again against what the message says.
    pub(super) fn meaning_unprompted(&self, state: &ConversationState, parse: &Parse, text: &str) -> Meaning {
        let meaning = self.meaning(state, parse, text);
        let vague = matches!(meaning, Meaning::Nothing | Meaning::KnowledgeUnknown);
        let unplaced = vague || matches!(meaning, Meaning::KnowledgeChoices(_));
        let chat = vague || matches!(meaning, Meaning::Respond(_));
        let start = |action: &str| self.flow_for(action).map(Meaning::StartFlow);
        // Right after a booking, a question that asks for a change ("could
        // you cancel that skin check?") is about that booking, not the
        // policy; and so is a new time for it, whatever new booking the
        // classifier hears ("can I push it to 3.30 instead, same day").
        let asks_for_change = vague
            || matches!(meaning, Meaning::Knowledge { .. } | Meaning::KnowledgeChoices(_))
                && !knowledge::asks_what_if(text);
        let books_again = matches!(meaning, Meaning::StartFlow(f) if self.flows[f].runs("create_booking"))
            && !knowledge::asks_what_if(text)
            && !answers::books_another(text);
        let reread = match meaning {
            // "can you get me a train ticket to London for tomorrow
            // morning?": something another business sells, whatever
            // booking the classifier hears.
            Meaning::StartFlow(f)
                if self.flows[f].runs("create_booking")
                    && answers::asks_errand_elsewhere(text)
                    && !self.names_whom_or_what(parse, text) =>
            {
                Some(Meaning::Nothing)
            }
            // "actually can we do friday instead? same time"
            _ if (asks_for_change || books_again) && self.moves_booking(state, parse, text) => {
                start("reschedule_booking")
            }
            // "oh no, can't make it after all"
            _ if asks_for_change && self.calls_off_booking(state, parse, text) => start("cancel_booking"),
            // "I'm at my sister's friday. can you cancel that please":
            // cancelling, whatever moving the classifier hears.
            Meaning::StartFlow(f)
                if self.flows[f].runs("reschedule_booking") && answers::says_cancel(text) =>
            {
                start("cancel_booking")
            }
            // "I'm on shift wednesday. can you cancel it and I'll get back
            // to you", right after booking: cancelling that booking,
            // whatever new booking the classifier hears.
            Meaning::StartFlow(f)
                if self.flows[f].runs("create_booking")
                    && booking_just_made(state)
                    && answers::says_cancel(text)
                    && !answers::books_another(text) =>
            {
                start("cancel_booking")
            }
            // "ok saturday morning then, 10ish?" after "need my glasses
            // adjusting": when to come, for the service already said.
            // "this sat" after "my son wants to learn singing, can come try
            // first?": a day or time and nothing else is when to come.
            _ if (state.slots.contains_key("service") || (unplaced || chat) && !booking_just_made(state))
                && self.only_says_when(parse, text) =>
            {
                start("create_booking")
            }
            // "hi, what do you have next sat?": a booking begins; so does
            // "have you owt sat 31st?", a day and a question whether
            // anything is free.
            _ if (unplaced || chat) && answers::asks_for_times(text).is_some() => start("create_booking"),
            _ if (unplaced || chat) && answers::asks_for_anything(text) && self.names_a_day(parse, text) => {
                start("create_booking")
            }
            // "Looking to get my roots done, the grey is coming through": a
            // service wanted, said as a statement; "my NCT is due and I want
            // ye to go over the car first": wanted, by a word only one
            // service has.
            _ if unplaced
                && !knowledge::is_question(text)
                && (has(parse, "service")
                    || self.service_by_words(text, 2).is_some()
                    || answers::says_want(text) && self.service_by_own_word(text).is_some()) =>
            {
                start("create_booking")
            }
            // "Can I get an appt with the nurse practitioner? I have a rash",
            // "I need an appointment for a rash": asking for a booking by
            // the classifier's best reading, with whom or what named.
            Meaning::Knowledge { .. }
            | Meaning::KnowledgeChoices(_)
            | Meaning::KnowledgeUnknown
            | Meaning::Nothing
                if self.booking_ranked_first(parse)
                    && self.names_whom_or_what(parse, text)
                    && !self.asks_beside_booking(parse, text, false)
                    && (!knowledge::is_question(text) || !answers::without_booking(text))
                    && !knowledge::asks_what_if(text)
                    && !answers::asks_what_booking_needs(text) =>
            {
                start("create_booking")
            }
            // "cool, can i come in tmrw at 12:30", "can sofia fit me in on
            // the 23rd?": a time to come in, or a day with whom or what.
            // Not "if I just show up by 12 today will someone see me?".
            _ if unplaced && self.says_when_to_come(parse, text) && !answers::without_booking(text) => {
                start("create_booking")
            }
            // "want to book highlights with Maria please. is the 12th
            // possible?": asking to book, saying when and what or whom,
            // whatever entry the knowledge base finds in it.
            Meaning::Knowledge { .. }
                if knowledge::asks_for_appointment(text)
                    && self.says_when_to_come(parse, text)
                    && !answers::asks_what_booking_needs(text) =>
            {
                start("create_booking")
            }
            // "can i get a sexual health screen monday lunchtime": asking to
            // have a service, and when, is a booking, whatever entry the
            // knowledge base finds in the service's name.
            Meaning::Knowledge { .. } | Meaning::KnowledgeChoices(_)
                if has(parse, "service")
                    && answers::asks_to_have(text)
                    && self.says_when_to_come(parse, text)
                    && !answers::asks_what_booking_needs(text) =>
            {
                start("create_booking")
            }
            // "hii need a 2 week fill wed at 6": a service wanted and when
            // to come, said as a statement, is a booking, whatever entry the
            // knowledge base finds in the service's name.
            // So is "want to try one demo class. next tues around 4ish
            // possible?": the question only asks whether the time is free;
            // and "ceramic coating on 8/21 at 8am for my camaro", a
            // service and when, said as a statement without a verb.
            Meaning::Knowledge { .. } | Meaning::KnowledgeChoices(_)
                if (!knowledge::is_question(text)
                    || answers::asks_if_free(text) && answers::says_want(text))
                    && has(parse, "service")
                    && self.says_when_to_come(parse, text) =>
            {
                start("create_booking")
            }
            // "hey u guys free sat for a blowdry? 11ish" is a booking,
            // whatever greeting the classifier hears in it.
            _ if chat && has(parse, "service") && has(parse, "datetime") => start("create_booking"),
            _ => None,
        };
        // "i had my colour done on monday, did something go wrong??" names
        // a service and a day, and asks about a visit made: no booking.
        let books = |m: &Meaning| matches!(m, Meaning::StartFlow(f) if self.flows[*f].runs("create_booking"));
        match reread {
            Some(m) if books(&m) && knowledge::asks_about_past(text) => meaning,
            Some(m) => m,
            None => meaning,
        }
    }

    pub(super) fn meaning(&self, state: &ConversationState, parse: &Parse, text: &str) -> Meaning {
        if let Some(i) = &parse.intent {
            if let Some(id) = i.intent.strip_prefix(KNOWLEDGE_INTENT_PREFIX) {
                if let Some(entry) = self.knowledge.iter().position(|k| k.id == id) {
                    return kb_meaning(self.kb().for_intent(state, parse, entry, i.confidence, text));
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
                    if let answer @ KbOutcome::Answer { .. } = self.kb().lookup(state, parse, text) {
                        return kb_meaning(answer);
                    }
                }
                // "can I just show up without booking?", "do I have to pay
                // anything upfront to book the balayage?" ask what booking
                // takes, however sure the classifier is of booking.
                if !changes && knowledge::is_question(text) && answers::asks_what_booking_needs(text) {
                    match self.kb().lookup(state, parse, text) {
                        // One entry in the running is the answer.
                        KbOutcome::Choices(entries) if entries.len() == 1 => {
                            return Meaning::Knowledge { entry: entries[0], score: knowledge::UNSURE };
                        }
                        kb @ (KbOutcome::Answer { .. } | KbOutcome::Choices(_)) => return kb_meaning(kb),
                        _ => {}
                    }
                }
                // "i got my set on thursday and i keep finding lashes on my
                // pillow, did something go wrong??" asks about a visit made.
                if self.flows[f].runs("create_booking") && knowledge::asks_about_past(text) {
                    return match self.kb().lookup(state, parse, text) {
                        KbOutcome::Nothing => Meaning::KnowledgeUnknown,
                        kb => kb_meaning(kb),
                    };
                }
                // "I come in every month for a trim, do you guys do anything
                // for repeat customers?": the booking words are what the
                // customer does; what they ask is something else.
                if self.asks_beside_booking(parse, text, changes) {
                    let asked: Vec<&str> =
                        knowledge::question_clauses(text).into_iter().map(|r| &text[r]).collect();
                    for question in [text, &asked.join(" ")] {
                        if let answer @ KbOutcome::Answer { .. } = self.kb().lookup(state, parse, question) {
                            return kb_meaning(answer);
                        }
                    }
                }
                if !changes
                    && i.confidence < SURE_OF_FLOW
                    && !has(parse, "service")
                    && knowledge::is_question(text)
                {
                    if let answer @ KbOutcome::Answer { entry, .. } = self.kb().lookup(state, parse, text) {
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
                if asks_something(text) && !books {
                    if let kb @ (KbOutcome::Answer { .. } | KbOutcome::Choices(_) | KbOutcome::Unknown) =
                        self.kb().lookup(state, parse, text)
                    {
                        return kb_meaning(kb);
                    }
                }
                return Meaning::Respond(i.intent.clone());
            }
        }
        if parse.intent.is_some() {
            // Understood, but nothing to do with it here (a "yes" out of
            // context), unless it asks what the knowledge base answers
            // ("somewhere to leave my car lol?", whatever "stop" is heard).
            if asks_something(text) {
                if let answer @ KbOutcome::Answer { .. } = self.kb().lookup(state, parse, text) {
                    return kb_meaning(answer);
                }
            }
            return Meaning::Nothing;
        }
        kb_meaning(self.kb().lookup(state, parse, text))
    }

    /// The booking flow, when the part of a message outside its questions
    /// asks for a booking: a service or a person with when to come ("are
    /// you open between christmas and new year? I'd love to get a blow-dry
    /// on the 29th, early afternoon").
    pub(super) fn books_outside_questions(&self, parse: &Parse, text: &str) -> Option<usize> {
        let (rest_parse, rest) = knowledge::outside_questions(parse, text);
        // "I come in every month for a trim, do you ...?" says what the
        // customer usually does, not what they want now.
        if rest.trim().is_empty() || rest == text || answers::says_habit(&rest) {
            return None;
        }
        let said = when::read(&rest_parse, &rest, self.tz, &self.spec.business.hours, false);
        let when =
            said.time.is_some() || said.window.is_some() || said.day.is_some() || said.week_on.is_some();
        (when && self.names_whom_or_what(&rest_parse, &rest) && !knowledge::asks_what_if(text))
            .then(|| self.flows.iter().position(|f| f.runs("create_booking")))
            .flatten()
    }

    /// Whether a question asks about something beside a booking: no day or
    /// time is said, and no question clause names a service or a person
    /// (unless it asks about one: its price, its length, whether it suits),
    /// asks for an appointment (but to come without one) or for free times
    /// ("is it ok to just swing by without booking? i'm never sure of my
    /// schedule"); for a flow that changes a booking, no word of cancelling
    /// or moving either.
    fn asks_beside_booking(&self, parse: &Parse, text: &str, changes: bool) -> bool {
        let asked = knowledge::question_clauses(text);
        if asked.is_empty() || has(parse, "datetime") {
            return false;
        }
        if changes && (answers::says_cancel(text) || answers::says_change(text) || answers::says_move(text)) {
            return false;
        }
        asked.iter().all(|range| {
            let clause = &text[range.clone()];
            let inside = |e: &&crate::nlu::Entity| e.start < range.end && e.end > range.start;
            let names = parse.entities.iter().filter(inside).any(|e| {
                e.entity == "service"
                    || matches!(&e.value, EntityValue::Text { value }
                        if self.spec.business.staff.iter().any(|s| s.id == *value))
            });
            (!names && self.service_by_words(clause, 2).is_none() || answers::asks_about_service(text))
                && (!knowledge::asks_for_appointment(clause) || answers::without_booking(clause))
                && answers::asks_for_times(clause).is_none()
        })
    }

    /// Whether a message says when the customer would come: a time, or a
    /// day or a part of the day with a service or a person named ("the
    /// game tonight" is not); not a question about what would happen
    /// ("what if I'm late on friday?").
    fn says_when_to_come(&self, parse: &Parse, text: &str) -> bool {
        if knowledge::asks_what_if(text) {
            return false;
        }
        let said = when::read(parse, text, self.tz, &self.spec.business.hours, false);
        let loosely = said.window.is_some() || said.day.is_some() || said.week_on.is_some();
        // "tmrw, I'm free 1 to 2": a day and hours are as good as a time
        // (not "who's pitching tonight?").
        let day_and_hours = said.window.is_some() && said.day.is_some() && !knowledge::is_question(text);
        said.time.is_some() || day_and_hours || loosely && self.names_whom_or_what(parse, text)
    }

    /// Whether the message names a day or a part of one ("sat 31st",
    /// "tomorrow morning", "monday week").
    fn names_a_day(&self, parse: &Parse, text: &str) -> bool {
        let said = when::read(parse, text, self.tz, &self.spec.business.hours, false);
        said.day.is_some() || said.window.is_some() || said.week_on.is_some()
    }

    /// Whether a message says when and nothing else: a day or a time with
    /// at most a few words around it ("ok saturday morning then, 10ish?").
    fn only_says_when(&self, parse: &Parse, text: &str) -> bool {
        let said = when::read(parse, text, self.tz, &self.spec.business.hours, false);
        if said.time.is_none() && said.day.is_none() && said.window.is_none() {
            return false;
        }
        let mut rest = text.to_string();
        for e in parse.entities.iter().filter(|e| e.entity == "datetime") {
            if rest.is_char_boundary(e.start) && rest.is_char_boundary(e.end) && e.end <= rest.len() {
                rest.replace_range(e.start..e.end, &" ".repeat(e.end - e.start));
            }
        }
        let rest = answers::normalise(&rest);
        rest.split(' ').filter(|w| !w.is_empty()).all(|w| {
            AROUND_AN_HOUR.contains(&w)
                || YES.contains(&w)
                || MERIDIEM.contains(&w)
                || DAY_WORDS.contains(&w)
                || w.strip_suffix("ish").is_some_and(|h| h.parse::<u32>().is_ok())
        })
    }

    /// Whether the message names a service or one of the staff.
    fn names_whom_or_what(&self, parse: &Parse, text: &str) -> bool {
        has(parse, "service")
            || self.service_by_words(text, 2).is_some()
            || self.service_said_whole(parse, text, &[]).is_some()
            || self.names_staff(parse)
    }

    /// Whether the classifier ranks booking first, even unsure, or level
    /// with the knowledge entry it puts first.
    fn booking_ranked_first(&self, parse: &Parse) -> bool {
        let books = |name: &str| {
            self.flows.iter().any(|f| f.runs("create_booking") && f.triggers.iter().any(|t| t == name))
        };
        match parse.intents.as_slice() {
            [first, ..] if books(&first.intent) => true,
            [first, second, ..] => {
                first.intent.starts_with(KNOWLEDGE_INTENT_PREFIX)
                    && books(&second.intent)
                    && second.confidence >= first.confidence - LEVEL
            }
            _ => false,
        }
    }

    /// Whether the message names one of the business's staff.
    fn names_staff(&self, parse: &Parse) -> bool {
        parse.entities.iter().any(|e| match &e.value {
            EntityValue::Text { value } => self.spec.business.staff.iter().any(|s| s.id == *value),
            _ => false,
        })
    }

    /// Whether a message without an intent moves the booking just made: a
    /// new day or time with words of change ("actually can we do friday
    /// instead? same time").
    fn moves_booking(&self, state: &ConversationState, parse: &Parse, text: &str) -> bool {
        self.about_booking_just_made(state, parse, text, BOOKING_CHANGES).is_some_and(|said| !said.is_empty())
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
    pub(super) fn shifted_booking_time(
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
        // "we're flying out thursday, I gotta cancel": a day given as the
        // reason does not make it a move.
        self.about_booking_just_made(state, parse, text, CALLING_OFF)
            .is_some_and(|said| said.is_empty() || answers::says_cancel(text))
    }
}
