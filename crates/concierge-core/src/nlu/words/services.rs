//! Words that say which service is meant without naming it: a first
//! visit, the size of a pet.

/// Words of a first visit, in a message or a service's name.
pub(crate) const FIRST_VISIT: &[&str] = &[
    "first time",
    "first visit",
    "first appointment",
    "first session",
    "never been",
    "never seen",
    "never see",
    "never visited",
    "never went",
    "never gone",
    "never come",
    "never came",
    "never had",
    "never tried",
    "never done",
    "first ever",
    "not been before",
    "haven't been before",
    "havent been before",
    "new patient",
    "new client",
    "new customer",
    "initial",
    "new dentist",
    "new doctor",
    "new gp",
    "new vet",
    "new hairdresser",
    "new stylist",
    "new barber",
    "just moved",
    "recently moved",
    "new to the area",
    "new in town",
];

/// Words that imply a word of a service's name, as the dialog's service
/// matching sees them (no plural s): nails on the hands are a manicure, on
/// the feet a pedicure.
pub(crate) const IMPLIED_SERVICE_WORDS: &[(&str, &str)] = &[
    ("hand", "manicure"),
    ("finger", "manicure"),
    ("fingernail", "manicure"),
    ("foot", "pedicure"),
    ("feet", "pedicure"),
    ("toe", "pedicure"),
    ("toenail", "pedicure"),
];

/// Words for a small pet, as the dialog's service matching sees them (no plural s):
/// sizes and the small dog breeds.
pub(crate) const SMALL_PETS: &[&str] = &[
    "small",
    "smaller",
    "little",
    "tiny",
    "toy",
    "mini",
    "miniature",
    "petite",
    "chihuahua",
    "pomeranian",
    "maltese",
    "maltipoo",
    "yorkie",
    "yorkipoo",
    "shihtzu",
    "pug",
    "dachshund",
    "bichon",
    "papillon",
    "havanese",
    "pekingese",
    "westie",
    "cavapoo",
    "cavachon",
    "cockapoo",
    "frenchie",
    "shorkie",
    "minpin",
    "pomsky",
];

/// Words for a large pet: sizes and the large dog breeds.
pub(crate) const LARGE_PETS: &[&str] = &[
    "large",
    "larger",
    "big",
    "bigger",
    "giant",
    "huge",
    "labrador",
    "retriever",
    "husky",
    "huskie",
    "shepherd",
    "bernese",
    "bernedoodle",
    "newfoundland",
    "newfie",
    "rottweiler",
    "rottie",
    "doberman",
    "malamute",
    "goldendoodle",
    "labradoodle",
    "mastiff",
    "akita",
    "samoyed",
    "weimaraner",
    "pyrenee",
];

/// Words that on their own say little about which service is meant: what
/// every booking shares ("book an appointment" names no "longer
/// appointment"), times, and common verbs and adjectives ("can I change
/// the time" names no oil change).
pub(crate) const WEAK_SERVICE_WORDS: &[&str] = &[
    "appointment",
    "appt",
    "booking",
    "book",
    "session",
    "visit",
    "slot",
    "time",
    "service",
    "treatment",
    "check",
    "lesson",
    "class",
    "consultation",
    "consult",
    "job",
    "day",
    "week",
    "today",
    "tomorrow",
    "morning",
    "afternoon",
    "evening",
    "change",
    "new",
    "full",
    "basic",
    "small",
    "large",
    "big",
    "first",
    "last",
    "next",
    "extra",
    "long",
    "short",
    "quick",
    "need",
    "want",
    "done",
    "have",
    "please",
    "thank",
    "thanks",
    "can",
    "could",
    "would",
    "will",
];

/// Units a number of a service's name counts with: "its been 3 weeks" is
/// the 3-week fill, "60 min" the hour's massage; a bare "3" is a time.
pub(crate) const SERVICE_UNITS: &[&str] =
    &["week", "wk", "min", "minute", "hour", "hr", "month", "session", "lesson"];

/// Verbs that, followed by a person or "in", ask for room in the diary and
/// name no service: "could ye fit me in", "squeeze us in", "pop him in".
pub(crate) const FITTING_IN: &[&str] = &["fit", "squeeze", "pop", "slot", "get", "book"];

/// What follows a verb of [`FITTING_IN`] when it asks for room in the diary.
pub(crate) const FITTED_IN: &[&str] = &["me", "us", "him", "her", "them", "in", "you", "ye"];

/// Words for a child a service may be booked for.
pub(crate) const CHILDREN: &[&str] = &[
    "son",
    "daughter",
    "boy",
    "girl",
    "grandson",
    "granddaughter",
    "nephew",
    "niece",
    "kid",
    "kids",
    "child",
    "toddler",
];

/// Words for a grown-up a service may be booked for.
pub(crate) const GROWN_UPS: &[&str] = &[
    "husband",
    "hubby",
    "boyfriend",
    "bf",
    "wife",
    "girlfriend",
    "gf",
    "dad",
    "father",
    "mom",
    "mum",
    "mother",
    "partner",
    "brother",
    "sister",
    "fiance",
    "fiancee",
];
