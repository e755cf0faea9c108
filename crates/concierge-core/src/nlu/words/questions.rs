//! Questions: the words they open with, follow-ups, what-ifs.

/// Words a question opens with ("what", "how", "do", "can").
pub(crate) const QUESTION_STARTS: &[&str] = &[
    "what",
    "whats",
    "what's",
    "when",
    "where",
    "whereabouts",
    "who",
    "whom",
    "which",
    "why",
    "how",
    "do",
    "does",
    "did",
    "is",
    "are",
    "can",
    "could",
    "will",
    "would",
    "should",
    "may",
    "have",
    "has",
];

/// Words that may lead into a question word ("oh", "so", "roughly").
pub(crate) const QUESTION_LEADS: &[&str] = &[
    "wait",
    "umm",
    "hmm",
    "random",
    "oh",
    "so",
    "and",
    "also",
    "but",
    "roughly",
    "just",
    "ok",
    "okay",
    "btw",
    "hey",
    "hi",
    "um",
    "quick",
    "q",
    "sorry",
    "well",
    "actually",
    "then",
    "approximately",
    "about",
    "wondering",
    "curious",
];

/// Words that make a question ask what would happen rather than for it
/// ("what happens if", "is there a fee") or whether it is safe ("will it
/// mess up my skin").
pub(crate) const HYPOTHETICAL: &[&str] = &[
    "if", "policy", "fee", "fees", "charge", "charged", "penalty", "deposit", "safe", "mess", "damage",
    "harm", "ruin", "risk",
];

/// Words that open a follow-up ("and do I ...", "also, ...").
pub(crate) const CONNECTIVES: &[&str] = &["and", "also", "plus", "so", "but"];

/// Words that point back at what was just said ("is it free?").
pub(crate) const POINTERS: &[&str] =
    &["it", "that", "this", "them", "they", "him", "her", "he", "she", "there", "those"];

/// Helping verbs a question puts before its subject ("do i gotta", "can
/// you").
pub(crate) const INVERTING_VERBS: &[&str] = &[
    "do", "does", "did", "can", "could", "will", "would", "should", "is", "are", "am", "have", "has", "shall",
];

/// Subjects a question puts after its helping verb.
pub(crate) const SUBJECTS: &[&str] =
    &["i", "you", "u", "ya", "ye", "yous", "y'all", "yall", "we", "they", "he", "she", "it"];
