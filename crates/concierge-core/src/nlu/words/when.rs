//! When: words that name days and halves of the day, approximate and
//! corrected times, times turned down or taken, spoken durations.

/// Words that mark a time as approximate.
pub(crate) const APPROXIMATE: &[&str] =
    &["around", "about", "roughly", "approximately", "approx", "ish", "or so", "like", "abt"];

/// Words that say which half of the day a time is in.
pub(crate) const MERIDIEM: &[&str] = &[
    "am",
    "pm",
    "a.m",
    "p.m",
    "morning",
    "afternoon",
    "evening",
    "night",
    "tonight",
    "noon",
    "midday",
    "midnight",
];

/// Words that start a correction inside a message ("no sorry,", "I meant",
/// "actually").
pub(crate) const CORRECTION_MARKERS: &[&str] =
    &["no sorry", "no,", "sorry,", "i mean", "i meant", "actually", "scratch that", "make that", "or rather"];

/// Words that give the time a reason leads to ("she gets out at 3 so like
/// 3:30 or 4"): a time after them is the one asked for.
pub(crate) const CONSEQUENCE_MARKERS: &[&str] = &[
    "so like",
    "so around",
    "so about",
    "so maybe",
    "so say",
    "so ideally",
    "so probably",
    "so prob",
    "so any time",
    "so anytime",
    "so round",
    "so roughly",
    "so more like",
    "so at",
    // "she gets out at 3 so 3:30 or later": a time after "so" is chosen
    // when the words before it say a time too.
    "so",
];

/// Second thoughts inside a message ("sat at 11.. no wait make it 12"):
/// what follows them may give the reason ("hang on, I'm at work weds") or
/// the new value, so they only mark a new hour alone.
pub(crate) const SECOND_THOUGHTS: &[&str] =
    &["no wait", "wait no", "oh wait", "hang on", "on second thought"];

/// Words that open a request ("can we", "any chance", "how about"): the
/// sentence with them says what the customer wants, others say why.
pub(crate) const REQUEST_LEADS: &[&str] = &[
    "can we",
    "could we",
    "can you",
    "could you",
    "can i",
    "could i",
    "any chance",
    "how about",
    "what about",
    "is there any way",
    "would it be possible",
    "is it possible",
    "let's",
    "lets",
    "i'd like",
    "id like",
    "i would like",
    "i want",
    "please",
];

/// Durations said in words, in minutes ("half an hour", "a couple of hours").
pub(crate) const SPOKEN_DURATIONS: &[(&str, i64)] = &[
    ("an hour and a half", 90),
    ("hour and a half", 90),
    ("half an hour", 30),
    ("half hour", 30),
    ("an hour", 60),
    ("a hour", 60),
    ("one hour", 60),
    ("two hours", 120),
    ("a couple of hours", 120),
    ("a couple hours", 120),
    ("quarter of an hour", 15),
    ("a quarter hour", 15),
];

/// Words before a time that turn it down ("not", "instead of", "can't do").
pub(crate) const TURNING_DOWN: &[&str] =
    &["not", "instead of", "rather than", "can't do", "cant do", "cannot do", "can't make", "cant make"];

/// Ways of saying one is taken ("i'm away", "i'm working").
pub(crate) const BUSY: &[&str] = &[
    "i'm away",
    "im away",
    "i'm busy",
    "im busy",
    "i'm working",
    "im working",
    "i work",
    "at work",
    "in work",
    "on shift",
    "at school",
];

/// Ways of saying when one can come before a time ("by 6", "at 3"), which
/// make it the earliest time rather than a deadline or the time itself:
/// "I can get there by 6", "I'm free by 5", "I get off work at 3".
pub(crate) const ARRIVING: &[&str] = &[
    "get there",
    "be there",
    "get here",
    "be here",
    "get in",
    "get to you",
    "i'm free",
    "im free",
    "be free",
    "off work",
    "get off",
    "finish work",
    "i finish",
];

/// Ways of saying one is busy before "til <time>": "i work til 5".
pub(crate) const WORKING: &[&str] =
    &["i work", "i'm working", "im working", "working", "at work", "in work", "i'm in class", "im in class"];

/// Ways of saying one has something on ("i have", "i've got").
/// Someone else's plans count too: "my wee one has football at 10".
pub(crate) const HAVING: &[&str] = &[
    "i have",
    "i've got",
    "ive got",
    "i got",
    "we have",
    "we've got",
    "has",
    "has got",
    "they have",
    "he's got",
    "hes got",
    "she's got",
    "shes got",
];

/// Words before "I have" that make it a request ("could I have a cut on
/// friday" asks for it).
pub(crate) const ASKING: &[&str] =
    &["can", "could", "may", "might", "would", "will", "do", "shall", "should", "to", "if", "whether"];

/// Words after "I have" that mean free time, not something on ("time",
/// "off", "nothing").
pub(crate) const FREE_TIME: &[&str] = &[
    "time",
    "free",
    "off",
    "available",
    "availability",
    "nothing",
    "opening",
    "space",
    "gap",
    "window",
    "been",
    "slot",
    "slots",
    "spot",
    "spots",
    "openings",
    "anything",
    "something",
];

/// Words that end one clause and start another ("so", "but", "because").
pub(crate) const CLAUSE_ENDS: &[&str] = &["so", "but", "and", "because", "cause", "cos", "then"];

/// Words after a time that turn it down ("doesn't work", "is no good").
pub(crate) const REFUSALS: &[&str] = &[
    "doesn't work",
    "doesnt work",
    "does not work",
    "won't work",
    "wont work",
    "is no good",
    "isn't good",
    "is not good",
    "is out",
    "is bad",
    "doesn't suit",
    "doesnt suit",
    "is too early",
    "is too late",
    "is impossible",
    "is difficult",
    "is hard",
    "clashes",
    "clashes with",
    "conflicts with",
    "is taken",
    "is booked up",
    "is full",
];

/// Words just before a time that say it does not suit: "the trains are
/// dreadful before ten", "mornings are impossible".
pub(crate) const DISLIKED: &[&str] = &[
    "dreadful",
    "terrible",
    "awful",
    "bad",
    "hard",
    "difficult",
    "impossible",
    "tricky",
    "tough",
    "nightmare",
    "no good",
    "not good",
    "a pain",
    "too early",
    "too late",
];

/// Words that may stand around two hours offered as a choice ("2 or 3,
/// whichever's free").
pub(crate) const AROUND_A_CHOICE: &[&str] = &[
    "whichever",
    "whichever's",
    "whichevers",
    "either",
    "free",
    "open",
    "available",
    "works",
    "work",
    "is",
    "fine",
    "ok",
    "okay",
    "good",
    "then",
    "please",
    "pls",
    "at",
    "maybe",
    "around",
    "ish",
    "about",
    "like",
];

/// Words that may stand around an hour said alone ("3 works", "make it 4
/// then").
pub(crate) const AROUND_AN_HOUR: &[&str] = &[
    "works", "work", "is", "fine", "ok", "okay", "good", "then", "please", "pls", "better", "instead",
    "make", "it", "how", "about", "what", "at", "actually", "maybe", "perhaps", "would", "be", "great",
    "perfect", "could", "we", "do", "say", "lets", "let's", "can", "you", "i", "rather", "prefer", "for",
    "me", "oh", "ah", "hmm", "um", "sorry", "no", "wait", "ideally", "ideal", "best", "suit", "suits",
    "around", "like", "ish", "grand", "lovely", "cool", "brill", "sound", "that", "thats", "that's", "yeah",
    "yes", "ya", "one", "if", "so", "you've", "youve", "got", "have", "poss", "possible", "free",
];

/// Words that name a day: "today", "tomorrow", the days of the week, the
/// months, their short forms, "week" and "weekend".
pub(crate) const DAY_WORDS: &[&str] = &[
    "today",
    "tomorrow",
    "tmrw",
    "tmr",
    "tonight",
    "yesterday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "tues",
    "wed",
    "weds",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
    "week",
    "day",
    "weekend",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

/// Words that show a bare number is a new time ("make it 4", "4 instead").
pub(crate) const TIME_CUES: &[&str] = &[
    "make it",
    "make that",
    "change it to",
    "change that to",
    "switch it to",
    "actualy",
    "rather",
    "instead",
    "actually",
    "how about",
    "what about",
    "at",
    "move it to",
    "push it to",
];

/// Words before "by" that make its hour the end of the visit ("done by
/// 5", "need to be out by 5", "back at work by 2").
pub(crate) const FINISHED_BY: &[&str] =
    &["done", "finished", "ready", "out", "back", "home", "gone", "over", "through", "free", "leave", "off"];

/// Words before "one" that make it a thing (`dialog::when`).
pub(crate) const ONE_THING_LEADS: &[&str] = &[
    "get", "got", "have", "book", "need", "want", "grab", "me", "a", "the", "that", "this", "which",
    "another", "any", "each", "every", "squeeze", "fit", "new",
];

/// Words after "the tuesday after" that leave it the weekday after the day
/// under discussion.
pub(crate) const ENDS_AFTER: &[&str] =
    &["then", "instead", "that", "pls", "please", "maybe", "if", "works", "is", "would", "could"];
