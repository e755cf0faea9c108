//! Times a message names that are not the time asked for: turned down
//! ("thursday not tuesday", "wednesday doesn't work after all") or taken by
//! something else ("I've got a wedding on Sunday").

use crate::dialog::answers::normalise;
use crate::nlu::words::when::{
    ASKING, BUSY, CLAUSE_ENDS, DISLIKED, FREE_TIME, HAVING, REFUSALS, TURNING_DOWN,
};

/// Whether the expression starting at byte `start` of `text` is turned
/// down: "not tuesday", "instead of 3", "rather than friday", "can't do monday".
pub(super) fn ruled_out(text: &str, start: usize) -> bool {
    let Some(before) = text.get(..start) else { return false };
    let before = normalise(before);
    TURNING_DOWN.iter().any(|n| before.ends_with(&format!(" {n}")) || before == *n)
}

/// Whether the expression starting at byte `start` of `text` says when the
/// customer is taken by something else, in its own clause: "I've got a
/// wedding on Sunday", "forgot I have my scan on thursday", "i have to grab
/// my kids at 3", "I'm away on Friday". Having time ("I've got Friday off",
/// "I have time on Monday") is no such thing.
pub(super) fn busy_then(text: &str, start: usize) -> bool {
    let Some(before) = text.get(..start) else { return false };
    let clause = before.rsplit(['.', ',', ';', '!', '?', '-']).next().unwrap_or_default();
    let words: Vec<String> = normalise(clause).split(' ').map(str::to_string).collect();
    let words = match words.iter().rposition(|w| CLAUSE_ENDS.contains(&w.as_str())) {
        Some(i) => &words[i + 1..],
        None => &words[..],
    };
    let clause = words.join(" ");
    let lead_end = |leads: &[&str]| {
        leads
            .iter()
            .filter_map(|l| {
                let at = clause.find(l)?;
                let whole = (at == 0 || clause.as_bytes()[at - 1] == b' ')
                    && clause[at + l.len()..].chars().next().is_none_or(|c| c == ' ');
                let asked = clause[..at].split_whitespace().last().is_some_and(|w| ASKING.contains(&w));
                (whole && !asked).then_some(at + l.len())
            })
            .max()
    };
    if lead_end(BUSY).is_some() {
        return true;
    }
    let Some(end) = lead_end(HAVING) else { return false };
    let object: Vec<&str> = clause[end..]
        .split_whitespace()
        .filter(|w| !matches!(*w, "on" | "at" | "this" | "that" | "next" | "a" | "an" | "the" | "to"))
        .collect();
    !object.is_empty() && !object.iter().any(|w| FREE_TIME.contains(w))
}

/// Whether the expression starting at byte `start` of `text` comes right
/// after words that say it does not suit: "the trains are dreadful before
/// ten", "anything is hard after 5".
pub(super) fn disliked(text: &str, start: usize) -> bool {
    let Some(before) = text.get(..start) else { return false };
    let before = normalise(before);
    DISLIKED.iter().any(|d| before.ends_with(&format!(" {d}")) || before == *d)
}

/// Whether the expression ending at byte `end` of `text` is turned down by
/// what follows it: "wednesday doesn't work after all", "3 is no good".
pub(super) fn turned_down_after(text: &str, end: usize) -> bool {
    let Some(after) = text.get(end..) else { return false };
    let after = normalise(after);
    REFUSALS.iter().any(|r| after.starts_with(r) || after.starts_with(&format!("after all {r}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_said_not_to_suit() {
        let text = "Not too early, the trains are dreadful before ten.";
        assert!(disliked(text, text.find("before").expect("in the text")));
        assert!(!disliked("any time before ten", "any time ".len()));
    }

    #[test]
    fn a_day_that_clashes_is_turned_down() {
        let text = "Sorry, Saturday clashes with something. Could we move it to the following Tuesday?";
        let end = text.find("Saturday").expect("day") + "Saturday".len();
        assert!(turned_down_after(text, end));
    }

    #[test]
    fn a_day_turned_down_after_it_is_named() {
        let text = "shoot, wednesday doesn't work after all. can we move it?";
        let end = text.find("wednesday").expect("day") + "wednesday".len();
        assert!(turned_down_after(text, end));
        assert!(!turned_down_after("wednesday works for me", "wednesday".len()));
    }

    #[test]
    fn a_time_taken_by_something_else_is_busy() {
        let busy = |text: &str, at: &str| busy_then(text, text.find(at).expect("in the text"));
        assert!(busy("my mate said cupping leaves marks and I've got a wedding on Sunday lol", "Sunday"));
        assert!(busy("can I move that to Friday same time? forgot I have my scan on thursday", "thursday"));
        assert!(busy("how long does that take? i have to grab my kids at 3", "3"));
        assert!(busy("I'm away on Friday", "Friday"));
        assert!(!busy("can I move that to Friday same time? forgot I have my scan on thursday", "Friday"));
        assert!(!busy("I've got Friday off, can I come in then?", "Friday"));
        assert!(!busy("I have time on Monday morning", "Monday"));
        assert!(!busy("I have two kids, can I book them both on Saturday?", "Saturday"));
        assert!(!busy("I have a wedding so I need a blow-dry on Friday", "Friday"));
        assert!(!busy("could I have a cut on Friday", "Friday"));
        assert!(!busy("I have been meaning to book for Friday", "Friday"));
    }

    #[test]
    fn a_day_turned_down_is_ruled_out() {
        let text = "sorry i meant thursday not tuesday";
        assert!(ruled_out(text, text.find("tuesday").expect("tuesday")));
        assert!(!ruled_out(text, text.find("thursday").expect("thursday")));
        let text = "can't do monday, how about wednesday";
        assert!(ruled_out(text, text.find("monday").expect("monday")));
        assert!(!ruled_out(text, text.find("wednesday").expect("wednesday")));
    }
}
