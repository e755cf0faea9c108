//! Reading what short answers are: a yes or a no, a person's name, a request
//! for a person, a question about free times.
//!
//! Each reader works on the words of the message, in their common written
//! forms (texting included), and says `None` or `false` rather than guess:
//! the engine then treats the message as a digression or asks again.

use crate::nlu::words::answers::{
    ABOUT_A_SERVICE, ANOTHER_BOOKING, ASKING_FOR_ANYTHING, ASKING_FOR_TIMES, ASKING_TO_HAVE, CHANGE_WORDS,
    CONTACTING, EARLIEST, ERRANDS_ELSEWHERE, FREE_WORDS, HABIT, LATEST, MOVING, NO, OBLIGATIONS,
    OBLIGATION_ASKS, PAST, PEOPLE, REACHING, SECOND_PERSON, TAKING_ON, THANKS, THANKS_AROUND, UNBOOKING,
    WANTING, WITHOUT_BOOKING, YES, YES_EMOJI,
};
use crate::nlu::words::names::{
    FILLERS, NAME_LEADS, NOT_NAME_WORDS, TITLES, TRAILING_PARTICLES, VOLUNTEERED_NAME_LEADS,
};

/// Lower-cases, straightens apostrophes, drops punctuation and emoji (a
/// thumbs-up becomes "yes") and collapses whitespace.
pub(crate) fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '’' | '‘' | '`' => out.push('\''),
            '👍' | '👌' | '✅' | '✔' | '☑' => out.push_str(" yes "),
            '👎' | '❌' => out.push_str(" no "),
            c if c.is_alphanumeric() || c == '\'' || c == ':' => out.extend(c.to_lowercase()),
            _ => out.push(' '),
        }
    }
    // Collapse runs of spaces in place of a Vec of words and a join.
    let mut collapsed = String::with_capacity(out.len());
    for word in out.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    collapsed
}

/// Whether the normalised text `n` starts with `phrase` as whole words.
pub(crate) fn starts_with_phrase(n: &str, phrase: &str) -> bool {
    n.strip_prefix(phrase).is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
}

/// Whether the normalised text `n` contains `phrase` as whole words.
pub(crate) fn contains_phrase(n: &str, phrase: &str) -> bool {
    // As `format!(" {n} ").contains(&format!(" {phrase} "))`, without the
    // two allocations (it runs for every word list on every message).
    let bytes = n.as_bytes();
    let mut from = 0;
    while let Some(found) = n.get(from..).and_then(|rest| rest.find(phrase)) {
        let at = from + found;
        let end = at + phrase.len();
        let starts = at == 0 || bytes[at - 1] == b' ';
        let ends = end == n.len() || bytes[end] == b' ';
        if starts && ends {
            return true;
        }
        // The next occurrence may overlap this one: step one character.
        from = at + n[at..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Reads a yes or a no from the whole message or its first words ("yes,
/// book it", "nope"). "No problem" and "no worries" are not a no.
pub(crate) fn yes_no(text: &str) -> Option<bool> {
    let n = normalise(text);
    let starts = |list: &[&str]| list.iter().any(|w| starts_with_phrase(&n, w));
    if n.starts_with("no problem") || n.starts_with("no worries") {
        return Some(true);
    }
    if starts(NO) {
        return Some(false);
    }
    if starts(YES) {
        return Some(true);
    }
    // "can", "can lah": Singapore's and Malaysia's yes, said alone (or in
    // a clause of its own: "can, thanks").
    let can_alone =
        |c: &str| c.starts_with("can") && c.split(' ').all(|w| matches!(w, "can" | "lah" | "la" | "one"));
    if can_alone(&n) {
        return Some(true);
    }
    // "all good, book it", "sí, yes 🙂", "bet 👍": a later clause that
    // says yes, with none that says no and no question.
    if text.contains('?') {
        return None;
    }
    let clauses: Vec<String> = text
        .split(|c: char| matches!(c, ',' | '.' | '!' | ';') || is_symbol(c))
        .map(normalise)
        .filter(|c| !c.is_empty())
        .collect();
    let opens = |c: &str, list: &[&str]| list.iter().any(|w| starts_with_phrase(c, w));
    if clauses.iter().any(|c| opens(c, NO)) {
        return None;
    }
    let emoji = text.chars().any(|c| YES_EMOJI.contains(&c));
    (emoji || clauses.iter().any(|c| opens(c, YES) || can_alone(c))).then_some(true)
}

/// Strips leading fillers and name leads; returns the rest and whether a
/// lead ("my name is") was seen.
fn strip_leads(text: &str) -> (String, bool) {
    let mut t = text.trim().trim_end_matches(['.', '!', ',']).trim().to_string();
    let mut led = false;
    loop {
        let lower = t.to_lowercase().replace('’', "'");
        let mut changed = false;
        for lead in NAME_LEADS.iter().chain(FILLERS) {
            if let Some(rest) = strip_word_prefix(&t, &lower, lead) {
                led |= NAME_LEADS.contains(lead);
                t = rest;
                changed = true;
                break;
            }
        }
        if !changed {
            // "Kristine Mae Reyes po", "Wei Ling lah": a particle of
            // politeness after a name is no part of it.
            let words: Vec<&str> = t.split_whitespace().collect();
            return match words.split_last() {
                Some((last, rest))
                    if !rest.is_empty() && TRAILING_PARTICLES.contains(&last.to_lowercase().as_str()) =>
                {
                    (rest.join(" "), led)
                }
                _ => (t, led),
            };
        }
    }
}

/// `original` without its first words when they are `prefix` (compared in
/// `lower`, the lower-cased `original`), cut at a character boundary.
fn strip_word_prefix(original: &str, lower: &str, prefix: &str) -> Option<String> {
    if !lower.starts_with(prefix) {
        return None;
    }
    let rest_lower = &lower[prefix.len()..];
    if !(rest_lower.is_empty() || rest_lower.starts_with([' ', ','])) {
        return None;
    }
    // Lower-casing can change byte lengths; cut the original after as many
    // characters as the prefix has.
    let chars = prefix.chars().count();
    let cut = original.char_indices().nth(chars).map_or(original.len(), |(i, _)| i);
    let rest = original[cut..].trim_start_matches([' ', ',']).trim();
    (!rest.is_empty()).then(|| rest.to_string())
}

/// Whether `word` can be part of a name: letters of any script, with inner
/// hyphens, apostrophes or, on an initial or short title, a final dot
/// ("O'Neill", "Anne-Marie", "Jr.", "J."; not the "nice." of "ok nice. name's Arjun").
fn name_word(word: &str) -> bool {
    let core = word.trim_end_matches('.');
    let dotted = core.len() != word.len();
    !core.is_empty()
        && (!dotted || core.chars().count() <= 3)
        && core.chars().next().is_some_and(is_letter)
        && core.chars().all(|c| is_letter(c) || matches!(c, '-' | '\'' | '’'))
}

/// Reads a person's name from an answer like "Jane Doe", "it's Jane Doe",
/// "name's José Herrera" or "Great, it's Ana Lima": one to five name words,
/// none of them a common word, a day, a yes or a no. Names given in lower
/// case are capitalised; others are kept as written.
pub(crate) fn person_name(text: &str, vocabulary: &[String]) -> Option<String> {
    if text.contains('?') || text.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    // "Mia Rodríguez 💅": emoji and other symbols are no part of a name.
    let text: String = text.chars().filter(|c| !is_symbol(*c)).collect();
    let text = text.as_str();
    let (rest, _) = strip_leads(text);
    name_from_words(&rest, vocabulary, 5).or_else(|| {
        // "ok nice. name's Arjun Mehta": one clause of the answer is the
        // name; "it's for Noor, Noor Hendriks": the fullest of them.
        let names = text
            .split([',', '.', '!', ';'])
            .filter(|clause| clause.len() < text.len())
            .filter_map(|clause| name_from_words(&strip_leads(clause).0, vocabulary, 5));
        names.fold(None, |best: Option<String>, name| match best {
            Some(b) if b.split(' ').count() >= name.split(' ').count() => Some(b),
            _ => Some(name),
        })
    })
}

fn name_from_words(rest: &str, vocabulary: &[String], max_words: usize) -> Option<String> {
    let mut words: Vec<&str> = rest.split_whitespace().collect();
    if words.len() > 2 && TITLES.contains(&words[0].trim_end_matches('.').to_lowercase().as_str()) {
        words.remove(0);
    }
    if words.is_empty() || words.len() > max_words || !words.iter().all(|w| name_word(w)) {
        return None;
    }
    if words.iter().any(|w| common_word(w, vocabulary)) {
        return None;
    }
    Some(words.iter().map(|w| capitalise(w)).collect::<Vec<_>>().join(" "))
}

fn capitalise(word: &str) -> String {
    if word.chars().any(char::is_uppercase) {
        return word.to_string();
    }
    let mut out = String::with_capacity(word.len());
    let mut start = true;
    for c in word.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = matches!(c, '-' | '\'' | '’') && out.chars().count() > 2 || c == '-';
    }
    out
}

/// A name the customer volunteers inside a longer message: after a lead
/// ("this is Grace Kim, I'd like...", "for Olivia Bennett, my number is...",
/// "my name is ana ruiz", "it's Priya Rao 917-555-0134"), before "here"
/// ("Hi, Ingrid Johansson here."), or as a clause of its own ("Saturday
/// 11am - Tomás Álvarez, 718-555-0174"). Without "my name is", a name
/// inside a message must be written with capitals.
pub(crate) fn volunteered_name(text: &str, vocabulary: &[String]) -> Option<String> {
    led_name(text, vocabulary).or_else(|| clause_name(text, vocabulary))
}

/// Whether `word`, lower-cased and without a final dot, is never a name.
fn common_word(word: &str, vocabulary: &[String]) -> bool {
    let lower = word.to_lowercase().replace('’', "'");
    let bare = lower.trim_end_matches('.');
    // "ok grand. Sarah Fitzgerald": a yes or a no is not a name (an
    // initial such as "Y." may be).
    let answer = bare.len() > 1 && (YES.contains(&bare) || NO.contains(&bare));
    answer || NOT_NAME_WORDS.contains(&bare) || vocabulary.iter().any(|v| v == bare)
}

fn capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// A name after a lead such as "my name is", "this is" or "it's".
fn led_name(text: &str, vocabulary: &[String]) -> Option<String> {
    let lower = text.to_lowercase().replace('’', "'");
    if lower.len() != text.len() {
        // Lower-casing changed byte offsets: read the name another way.
        return None;
    }
    for lead in VOLUNTEERED_NAME_LEADS {
        let mut from = 0;
        while let Some(found) = lower[from..].find(lead) {
            let at = from + found;
            from = at + lead.len();
            let starts_word = at == 0 || lower[..at].ends_with([' ', ',', '.', '!', '-']);
            if !starts_word || !text.is_char_boundary(from) {
                continue;
            }
            let explicit = lead.contains("name") || lead.contains("llamo") || lead.contains("nombre");
            let after = &text[from..];
            let end = after.find([',', '.', '!', '?', ';', '(', ':']).unwrap_or(after.len());
            // The name words up to the first word that is not one ("Robert
            // Kowalczyk and my number is ...").
            let take: Vec<&str> = after[..end]
                .split_whitespace()
                .take_while(|w| (explicit || capitalised(w)) && name_word(w) && !common_word(w, vocabulary))
                .take(4)
                .collect();
            if take.len() < if explicit { 1 } else { 2 } {
                continue;
            }
            if let Some(name) = name_from_words(&take.join(" "), vocabulary, 4) {
                return Some(name);
            }
        }
    }
    None
}

/// A clause that is a name written with capitals, on its own ("..., Tomás
/// Álvarez, 718-555-0174") or before "here" ("Hi, Ingrid here").
fn clause_name(text: &str, vocabulary: &[String]) -> Option<String> {
    // Cheap first: a name written with capitals has a capital after the first word.
    let pronoun = |w: &str| matches!(w, "I" | "I'd" | "I'm" | "I'll" | "I've" | "I’m" | "I’d");
    if !text.split_whitespace().skip(1).any(|w| capitalised(w) && !pronoun(w)) {
        return None;
    }
    let spaced = text.replace(" - ", ",").replace(" – ", ",").replace(" — ", ",");
    for clause in spaced.split([',', '.', '!', '?', ';', '(', ')', ':', '\n']) {
        let (clause, _) = strip_leads(clause);
        let words: Vec<&str> = clause.split_whitespace().collect();
        // "... - Chloe Anderson 021 2555 0736 cheers": the name words just
        // before the phone number.
        let words = before_phone_number(&words).unwrap_or(words);
        let (words, here) = match words.split_last() {
            Some((last, rest)) if last.eq_ignore_ascii_case("here") => (rest, true),
            _ => (&words[..], false),
        };
        let sized = if here { (1..=4).contains(&words.len()) } else { (2..=4).contains(&words.len()) };
        if sized && words.iter().all(|w| capitalised(w) && w.chars().any(char::is_lowercase)) {
            if let Some(name) = name_from_words(&words.join(" "), vocabulary, 4) {
                return Some(name);
            }
        }
    }
    None
}

/// The words of a clause before a phone number in it ("Chloe Anderson 021
/// 2555 0736 cheers"), when the number has at least seven digits.
fn before_phone_number<'a>(words: &[&'a str]) -> Option<Vec<&'a str>> {
    let starts_number = |w: &str| w.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '(');
    let at = words.iter().position(|w| starts_number(w))?;
    let digits: usize = words[at..]
        .iter()
        .take_while(|w| starts_number(w) || w.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ')'))
        .map(|w| w.chars().filter(char::is_ascii_digit).count())
        .sum();
    (at > 0 && digits >= 7).then(|| words[..at].to_vec())
}

/// Whether the message asks for one more booking rather than a change to
/// the one made: "can I also get one for my son at 4".
pub(crate) fn books_another(text: &str) -> bool {
    let n = normalise(text);
    ANOTHER_BOOKING.iter().any(|w| contains_phrase(&n, w))
}

/// Whether the message asks about a service rather than for it: its price
/// or length, or whether it suits the customer ("how much is a facial?",
/// "I'm 22 weeks gone, would you still do a massage?").
pub(crate) fn asks_about_service(text: &str) -> bool {
    let n = normalise(text);
    ABOUT_A_SERVICE.iter().any(|w| contains_phrase(&n, w))
}

/// Whether the message asks for something another kind of business sells:
/// a ticket, a flight, a taxi, a table at a restaurant.
pub(crate) fn asks_errand_elsewhere(text: &str) -> bool {
    let n = normalise(text);
    ERRANDS_ELSEWHERE.iter().any(|w| contains_phrase(&n, w))
}

/// Whether the message says its visit comes without a booking ("can I
/// just show up without booking?", "do I need an appointment?").
pub(crate) fn without_booking(text: &str) -> bool {
    let n = normalise(text);
    WITHOUT_BOOKING.iter().any(|w| contains_phrase(&n, w))
}

/// Whether the message only thanks ("Smashing, thank you", "cheers x"):
/// at a confirmation, a yes.
pub(crate) fn only_thanks(text: &str) -> bool {
    let n = normalise(text);
    let words: Vec<&str> = n.split(' ').filter(|w| !w.is_empty()).collect();
    words.iter().any(|w| THANKS.contains(w))
        && words.iter().all(|w| THANKS.contains(w) || THANKS_AROUND.contains(w) || YES.contains(w))
}

/// Whether a message says it changes something ("actually", "instead",
/// "make it a colour", "switch to").
pub(crate) fn says_change(text: &str) -> bool {
    let n = normalise(text);
    CHANGE_WORDS.iter().any(|w| contains_phrase(&n, w))
}

/// Whether a message asks if a time is free ("is 10 am open?", "would 3
/// work?", "2pm possible?").
pub(crate) fn asks_if_free(text: &str) -> bool {
    let n = normalise(text);
    n.split(' ').any(|w| FREE_WORDS.contains(&w))
}

/// Whether a question asks what booking takes, not for a booking: whether
/// one is needed at all ("can he just drop in or does he need to book"),
/// or what must be done or paid first ("do I have to pay anything upfront
/// to book the balayage?", "is a consultation required?").
pub(crate) fn asks_what_booking_needs(text: &str) -> bool {
    if without_booking(text) {
        return true;
    }
    let n = normalise(text);
    let words: Vec<&str> = n.split(' ').collect();
    let obliged = words.iter().enumerate().any(|(i, w)| {
        let must = matches!(*w, "need" | "needs" | "have" | "has") && words.get(i + 1) == Some(&"to");
        let asked = words[i.saturating_sub(3)..i].iter().any(|a| OBLIGATION_ASKS.contains(a));
        must && asked
    });
    obliged || OBLIGATIONS.iter().any(|w| contains_phrase(&n, w))
}

/// Whether the message asks to cancel and not to move: "can you cancel
/// that please, I'll rebook another time", not "cancel it and move me to
/// friday instead".
pub(crate) fn says_cancel(text: &str) -> bool {
    let words = crate::lexicon::words(text);
    let n = normalise(text);
    let cancels =
        words.iter().any(|w| w.starts_with("cancel")) || UNBOOKING.iter().any(|p| contains_phrase(&n, p));
    cancels && !words.iter().any(|w| MOVING.contains(&w.as_str()))
}

/// Whether the clause of `text` around byte `at` tells of the past: "he
/// did my tyres before", "I had highlights last time".
pub(crate) fn tells_of_past(text: &str, at: usize) -> bool {
    let (Some(before), Some(after)) = (text.get(..at), text.get(at..)) else { return false };
    let ends = |c: char| matches!(c, '.' | '!' | '?' | ';' | ',') || is_symbol(c);
    let start = before.char_indices().rev().find(|(_, c)| ends(*c)).map_or(0, |(i, c)| i + c.len_utf8());
    let end = after.find(ends).map_or(text.len(), |i| at + i);
    let (Some(before), Some(after)) = (text.get(start..at), text.get(at..end)) else { return false };
    // "dr chen told me at my last cleaning i need 2 fillings": a wish
    // starts what is asked for now.
    let before = normalise(before);
    let words: Vec<&str> = before.split(' ').collect();
    let asked_from = words.iter().rposition(|w| WANTING.contains(w)).map_or(0, |i| i + 1);
    let clause = format!("{} {}", words[asked_from..].join(" "), normalise(after));
    PAST.iter().any(|p| contains_phrase(clause.trim(), p))
}

/// Whether the message gives a child's age ("my 5yo", "a 7 year old",
/// "she's 9", "aged 4").
pub(crate) fn tells_child_age(text: &str) -> bool {
    let n = normalise(text);
    let words: Vec<&str> = n.split(' ').collect();
    words.iter().enumerate().any(|(i, w)| {
        let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let Ok(age) = digits.parse::<u32>() else { return false };
        let unit = &w[digits.len()..];
        let next = |k: usize| words.get(i + k).copied().unwrap_or("");
        let before = i.checked_sub(1).map_or("", |j| words[j]);
        let aged = matches!(unit, "yo" | "yr" | "yrs")
            || unit.is_empty()
                && (next(1) == "yo"
                    || matches!(next(1), "year" | "years" | "yr" | "yrs") && next(2) == "old"
                    || matches!(before, "aged" | "she's" | "he's" | "shes" | "hes"));
        aged && (1..CHILD_AGE).contains(&age)
    })
}

/// The age from which a customer is no child.
const CHILD_AGE: u32 = 16;

/// Whether the message asks to have something ("can i get a sexual health
/// screen monday lunchtime", "could I book a clean"): a request.
pub(crate) fn asks_to_have(text: &str) -> bool {
    let n = normalise(text);
    ASKING_TO_HAVE.iter().any(|w| contains_phrase(&n, w))
}

/// Whether the message says the customer wants something ("need a fill",
/// "wanna get my brows done", "looking for a trim").
pub(crate) fn says_want(text: &str) -> bool {
    crate::lexicon::words(text).iter().any(|w| WANTING.contains(&w.as_str()))
}

/// Whether the message tells what the customer usually does ("I come in
/// every month", "I normally see Maria").
pub(crate) fn says_habit(text: &str) -> bool {
    crate::lexicon::words(text).iter().any(|w| HABIT.contains(&w.as_str()))
}

/// Whether the message has a word of moving a booking ("move", "push",
/// "reschedule").
pub(crate) fn says_move(text: &str) -> bool {
    crate::lexicon::words(text).iter().any(|w| MOVING.contains(&w.as_str()) || w.starts_with("reschedul"))
}

/// Whether the message asks for a person: "can I speak to an actual
/// human", "operator", "can somebody call me back?".
pub(crate) fn asks_for_person(text: &str) -> bool {
    let n = normalise(text);
    let words: Vec<&str> = n.split(' ').collect();
    let phrase = |p: &str| contains_phrase(&n, p);
    // "speak to a person", "connect me with an agent", "a human I can talk
    // to"; not "staff who speak Spanish".
    let is_person = |w: &str| PEOPLE.contains(&w);
    let is_reach = |w: &str| REACHING.contains(&w);
    let reaches = words.iter().enumerate().any(|(i, w)| {
        is_reach(w)
            && (words[i + 1..].iter().take(5).any(|p| is_person(p))
                || matches!(words.get(i + 1), Some(&"to" | &"with"))
                    && words[..i].iter().rev().take(5).any(|p| is_person(p)))
    });
    if reaches {
        return true;
    }
    // "I'd like someone to look into it": a person asked to take the matter on.
    let takes_on = words.iter().enumerate().any(|(i, w)| {
        is_person(w)
            && words.get(i + 1) == Some(&"to")
            && TAKING_ON.iter().any(|p| words[i + 2..].join(" ").starts_with(p))
    });
    if takes_on {
        return true;
    }
    // "have someone get in touch", "can somebody ring me": a person asked to
    // contact the customer, not "does someone call to confirm?".
    let contacts = words.iter().enumerate().any(|(i, w)| {
        is_person(w)
            && words.iter().enumerate().skip(i + 1).take(3).any(|(j, v)| {
                CONTACTING.contains(v)
                    && (*v == "touch" || matches!(words.get(j + 1), Some(&"me" | &"us" | &"back")))
            })
    });
    if contacts {
        return true;
    }
    let digits = n.chars().any(|c| c.is_ascii_digit());
    if !digits
        && ["call me back", "ring me back", "call me", "give me a call", "phone me", "put me through"]
            .iter()
            .any(|p| phrase(p))
    {
        return true;
    }
    // "I'd rather talk to a stylist than type at a bot".
    let not_here =
        ["not on chat", "not over chat", "not via chat", "not by chat", "not through chat", "not on here"];
    if ["than a bot", "than type", "than typing", "not a bot", "not the bot", "actual person", "real human"]
        .iter()
        .chain(&not_here)
        .any(|p| phrase(p))
    {
        return true;
    }
    // "operator", "agent please", or "operator" after a complaint.
    ["operator", "agent", "human", "representative", "a human", "real person", "live agent"]
        .iter()
        .any(|p| words.len() <= 3 && phrase(p))
        || phrase("operator")
}

/// What a question about free times asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimesAsked {
    /// Any free times ("what times do you have?").
    Any,
    /// Times before the one discussed ("anything earlier?").
    Earlier,
    /// The first free time ("what's the earliest you have?").
    Earliest,
    /// Times after it ("anything later?").
    Later,
    /// The last free time of the day ("as late as you can do").
    Latest,
}

/// Whether the message asks which times are free.
pub(crate) fn asks_for_times(text: &str) -> Option<TimesAsked> {
    let n = with_you(text);
    let phrase = |p: &str| contains_phrase(&n, p);
    let anything =
        ["anything", "any", "something", "got", "have", "is there", "do you"].iter().any(|p| phrase(p));
    if anything && ["earlier", "sooner", "before that"].iter().any(|p| phrase(p)) {
        return Some(TimesAsked::Earlier);
    }
    // "or can i come back later?" is about leaving, not a later time.
    if anything && ["later", "after that"].iter().any(|p| phrase(p)) && !phrase("back later") {
        return Some(TimesAsked::Later);
    }
    if EARLIEST.iter().any(|p| phrase(p)) {
        return Some(TimesAsked::Earliest);
    }
    if LATEST.iter().any(|p| phrase(p)) {
        return Some(TimesAsked::Latest);
    }
    ASKING_FOR_TIMES.iter().any(|p| phrase(p)).then_some(TimesAsked::Any)
}

/// Whether the message asks whether anything is free ("have you owt",
/// "would ye have anything"), which with a day asks for a booking.
pub(crate) fn asks_for_anything(text: &str) -> bool {
    let n = with_you(text);
    ASKING_FOR_ANYTHING.iter().any(|p| contains_phrase(&n, p))
}

/// The message normalised with "you" for its written forms ("as early as
/// ye can", "what do u have").
fn with_you(text: &str) -> String {
    let normalised = normalise(text);
    let words: Vec<&str> =
        normalised.split(' ').map(|w| if SECOND_PERSON.contains(&w) { "you" } else { w }).collect();
    words.join(" ")
}

/// Whether `c` is a pictograph or other symbol (emoji), never part of an answer's words.
pub(crate) fn is_symbol(c: char) -> bool {
    !c.is_alphanumeric()
        && !c.is_whitespace()
        && !c.is_ascii_punctuation()
        && !matches!(c, '’' | '‘' | '–' | '—')
}

/// Whether `c` is a letter of any script, or a combining accent inside a word.
fn is_letter(c: char) -> bool {
    c.is_alphabetic() || ('\u{0300}'..='\u{036F}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_childs_age_is_read() {
        for text in
            ["my 5yo is due", "a 7 year old", "my 9 yr old", "she's 9", "aged 4, first visit", "my 12yrs old"]
        {
            assert!(tells_child_age(text), "{text}");
        }
        assert!(tells_child_age("my 3 yo"));
        for text in ["it's been 5 years since", "she's 30", "at 9am", "my 17 year old"] {
            assert!(!tells_child_age(text), "{text}");
        }
    }

    #[test]
    fn a_clause_of_what_was_done_before_tells_of_the_past() {
        let text = "is Ger in on saturday? he did my tyres before. the brake pads are nearly gone";
        assert!(tells_of_past(text, text.find("tyres").expect("in the text")));
        assert!(!tells_of_past(text, text.find("brake").expect("in the text")));
        // Clauses end at an emoji, whatever its length in bytes.
        let text = "howzit 👋 can I book a follow-up adjustment please";
        assert!(!tells_of_past(text, text.find("follow").expect("in the text")));
        let text = "I had highlights last time 👋 a trim";
        assert!(tells_of_past(text, 2) && !tells_of_past(text, text.find("trim").expect("in the text")));
        // What is wished for after it is asked for now, in the same clause.
        let text = "dr chen told me at my last cleaning i need 2 fillings";
        assert!(tells_of_past(text, text.find("cleaning").expect("in the text")));
        assert!(!tells_of_past(text, text.find("fillings").expect("in the text")));
    }

    #[test]
    fn can_said_alone_is_a_yes() {
        assert_eq!(yes_no("can"), Some(true));
        assert_eq!(yes_no("can lah"), Some(true));
        assert_eq!(yes_no("can, thanks"), Some(true));
        assert_eq!(yes_no("can you do 4 instead?"), None);
    }

    fn vocab() -> Vec<String> {
        ["colour", "haircut", "blow", "dry"].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_phrase_is_found_as_whole_words() {
        let padded = |n: &str, p: &str| format!(" {n} ").contains(&format!(" {p} "));
        let cases = [
            ("can you make it by 6", "make it"),
            ("make it", "make it"),
            ("remake it", "make it"),
            ("make itself", "make it"),
            ("i get off work at 3", "off work"),
            ("b ab ab", "ab ab"),
            ("aab ab", "ab"),
            ("café au lait", "au"),
            ("", "x"),
            ("x", ""),
        ];
        for (n, p) in cases {
            assert_eq!(contains_phrase(n, p), padded(n, p), "{p:?} in {n:?}");
        }
    }

    #[test]
    fn yes_and_no_in_their_common_forms() {
        for yes in [
            "yes 👍",
            "ya",
            "perfect, book it",
            "Yes, that's perfect, thank you.",
            "yep thx",
            "sounds good",
            "no problem",
            "ja passt",
            "oui merci",
        ] {
            assert_eq!(yes_no(yes), Some(true), "{yes}");
        }
        for no in ["no", "nope", "Nah, wrong day", "that's not right", "nein, falscher Tag"] {
            assert_eq!(yes_no(no), Some(false), "{no}");
        }
        for neither in ["Daniel Park", "what time?", "tomorrow"] {
            assert_eq!(yes_no(neither), None, "{neither}");
        }
    }

    #[test]
    fn names_of_any_script_with_their_leads_stripped() {
        let v = vocab();
        assert_eq!(person_name("José Herrera", &v).as_deref(), Some("José Herrera"));
        assert_eq!(person_name("alicia muñoz", &v).as_deref(), Some("Alicia Muñoz"));
        assert_eq!(person_name("name's Marcus Johnson", &v).as_deref(), Some("Marcus Johnson"));
        assert_eq!(person_name("Great, it's Ana Lima", &v).as_deref(), Some("Ana Lima"));
        assert_eq!(person_name("jordan o'neill", &v).as_deref(), Some("Jordan O'neill"));
        assert_eq!(person_name("Anne-Marie Dubois", &v).as_deref(), Some("Anne-Marie Dubois"));
        assert_eq!(person_name("张伟", &v).as_deref(), Some("张伟"));
        assert_eq!(person_name("Daniel Park", &v).as_deref(), Some("Daniel Park"));
        assert_eq!(person_name("ok nice. name's Arjun Mehta", &v).as_deref(), Some("Arjun Mehta"));
        assert_eq!(person_name("Mia Rodríguez 💅", &v).as_deref(), Some("Mia Rodríguez"));
        assert_eq!(person_name("Me llamo Lucía Fernández", &v).as_deref(), Some("Lucía Fernández"));
        assert_eq!(person_name("mi numero", &v), None);
        assert_eq!(person_name("J. R. Smith", &v).as_deref(), Some("J. R. Smith"));
        assert_eq!(person_name("it's for Noor, Noor Hendriks", &v).as_deref(), Some("Noor Hendriks"));
        assert_eq!(person_name("Kristine Mae Reyes po", &v).as_deref(), Some("Kristine Mae Reyes"));
    }

    #[test]
    fn answers_that_are_not_names() {
        let v = vocab();
        for not in [
            "yes 👍",
            "Sounds Good",
            "Yes That's Right",
            "sorry I meant wednesday",
            "do you have parking?",
            "a colour",
            "actually make it 4",
            "it's for my husband",
            "212 555 0100",
            "yes cheers",
            "lovely ta",
        ] {
            assert_eq!(person_name(not, &v), None, "{not}");
        }
    }

    #[test]
    fn names_volunteered_in_a_longer_message() {
        let v = vocab();
        assert_eq!(
            volunteered_name("Hi this is Grace Kim, I'd like to book a colour", &v).as_deref(),
            Some("Grace Kim")
        );
        assert_eq!(
            volunteered_name("women's haircut on thursday at noon for Olivia Bennett, my number is 212", &v)
                .as_deref(),
            Some("Olivia Bennett")
        );
        for (text, name) in [
            (
                "hey can i get a blowout this thurs at 5:30? it's Priya Raghunathan 917-555-0134",
                "Priya Raghunathan",
            ),
            ("Hi, Ingrid Johansson here. Could I get a blow-dry on Wednesday?", "Ingrid Johansson"),
            ("Hi, Ingrid here, could I book", "Ingrid"),
            ("Book a men's cut Saturday 11am - Tomás Álvarez, 718-555-0174", "Tomás Álvarez"),
            ("The name is Robert Kowalczyk and my number is (212) 555-0158.", "Robert Kowalczyk"),
            ("hola! me llamo Lucía Fernández, quiero un corte", "Lucía Fernández"),
            ("an acne visit for my son Mateo Silva on Monday at 3:30pm", "Mateo Silva"),
            ("Hi, could you book Kathleen Murphy in for a foot check on Friday", "Kathleen Murphy"),
            (
                "Book me a classic manicure Sat 23/5 at 9.30am - Chloe Anderson 021 2555 0736 cheers",
                "Chloe Anderson",
            ),
        ] {
            assert_eq!(volunteered_name(text, &v).as_deref(), Some(name), "{text}");
        }
        assert_eq!(volunteered_name("book me for tomorrow at 3", &v), None);
        assert_eq!(volunteered_name("Is it ok? Thank You", &v), None);
        assert_eq!(volunteered_name("it's Tuesday at 4", &v), None);
        assert_eq!(volunteered_name("it's for my husband", &v), None);
        assert_eq!(volunteered_name("Friday at 4, Blow Dry 021 2555 0736", &v), None, "services are no name");
    }

    #[test]
    fn errands_for_other_businesses() {
        assert!(asks_errand_elsewhere("can you get me a train ticket to London for tomorrow morning?"));
        assert!(asks_errand_elsewhere("could you book me a taxi for 6"));
        assert!(!asks_errand_elsewhere("can I book a massage for tomorrow morning?"));
        assert!(!asks_errand_elsewhere("is there a car park near you?"));
    }

    #[test]
    fn requests_for_a_person() {
        for yes in [
            "can I speak to an actual human please",
            "ugh i hate bots. operator",
            "can somebody call me back?",
            "this is complicated, can someone from the salon just call me?",
            "agent",
            "I want to talk to a person",
            "is there a human I can talk to?",
            "I was charged twice and I'd like someone to look into it",
            "yes please, have someone get in touch",
            "could somebody from the team ring me back",
            "can a person contact me about it",
            "before joining I want to discuss with the head teacher directly, not on chat",
        ] {
            assert!(asks_for_person(yes), "{yes}");
        }
        for no in [
            "are you a real person?",
            "book a haircut",
            "my son is 6",
            "who are your staff?",
            "do you have staff who speak Spanish?",
            "I need someone to cut my hair on friday",
            "is anyone there who can touch up roots?",
        ] {
            assert!(!asks_for_person(no), "{no}");
        }
    }

    #[test]
    fn questions_about_free_times() {
        assert_eq!(asks_for_times("what times do you have on Friday?"), Some(TimesAsked::Any));
        assert_eq!(asks_for_times("anything earlier?"), Some(TimesAsked::Earlier));
        assert_eq!(asks_for_times("do you have anything later"), Some(TimesAsked::Later));
        assert_eq!(asks_for_times("at 3pm"), None);
        assert_eq!(asks_for_times("whats the earliest u have wed?"), Some(TimesAsked::Earliest));
        assert_eq!(asks_for_times("as late as you can do"), Some(TimesAsked::Latest));
    }
}
