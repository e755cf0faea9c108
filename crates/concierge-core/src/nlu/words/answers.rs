//! Short answers and requests: yes and no, asking for a person, for free
//! times, to move, change or call off a booking.

/// Ways of saying yes, as whole answers or their first words.
pub(crate) const YES: &[&str] = &[
    "yes",
    "y",
    "ya",
    "yah",
    "yea",
    "yeah",
    "yeh",
    "yep",
    "yup",
    "aye",
    "yas",
    "yess",
    "yesss",
    "sure",
    "sure thing",
    "ok",
    "okay",
    "okey",
    "k",
    "kk",
    "alright",
    "all right",
    "correct",
    "right",
    "confirm",
    "confirmed",
    "please do",
    "go ahead",
    "go for it",
    "sounds good",
    "sounds great",
    "sounds perfect",
    "that's right",
    "thats right",
    "that's correct",
    "thats correct",
    "that's perfect",
    "that's great",
    "that's fine",
    "that works",
    "that work",
    "works for me",
    "works",
    "absolutely",
    "perfect",
    "great",
    "lovely",
    "brilliant",
    "excellent",
    "fine",
    "cool",
    "good",
    "yes please",
    "of course",
    "definitely",
    "do it",
    "book it",
    "lock it in",
    "lock in",
    "lock that in",
    "pop me in",
    "put me down",
    "book me in",
    "make it so",
    "affirmative",
    "exactly",
    "indeed",
    // Yes in the languages customers of a business abroad mix in.
    "si",
    "sim",
    "oui",
    "ja",
    "jap",
    "jep",
    "passt",
    "genau",
    "claro",
    "cheers",
    "ta",
    "go on",
    "brill",
    "grand",
    "sound",
    "smashing",
    "spot on",
    "bang on",
    "nice one",
    "deffo",
    "fab",
    "yh",
    "ye",
    "all good",
    "all set",
    "bet",
    "sweet",
    "yessir",
    "sounds about right",
    "sharp",
    "lekker",
    "chur",
    "ka pai",
    "sweet as",
    "tidy",
    "lush",
    "ideal",
    "ace",
    "champion",
    "beaut",
    "legend",
    "dead on",
    "wee buns",
    "top",
    "sige",
    "opo",
    "klopt",
    "prima",
    "doe maar",
];

/// Emoji that say yes on their own ("bet 👍").
pub(crate) const YES_EMOJI: &[char] = &['👍', '👌', '✅', '🙌', '💯', '✔'];

/// Ways of saying no, as whole answers or their first words.
pub(crate) const NO: &[&str] = &[
    "no",
    "n",
    "nope",
    "nah",
    "naw",
    "no thanks",
    "no thank you",
    "don't",
    "dont",
    "negative",
    "not really",
    "not quite",
    "not right",
    "that's wrong",
    "thats wrong",
    "that's not right",
    "thats not right",
    "incorrect",
    "wrong",
    "nein",
    "non",
];

/// Words of moving a booking: with one of them, "cancel" is part of a move
/// ("cancel it and move me to friday instead").
/// "Prepone" is Indian English for moving earlier.
pub(crate) const MOVING: &[&str] =
    &["move", "reschedule", "change", "instead", "switch", "push", "swap", "prepone", "postpone"];

/// Words for a person to talk to ("human", "agent", "receptionist").
pub(crate) const PEOPLE: &[&str] = &[
    "human",
    "humans",
    "person",
    "people",
    "someone",
    "somebody",
    "anyone",
    "anybody",
    "agent",
    "operator",
    "representative",
    "rep",
    "receptionist",
    "manager",
    "staff",
    "team",
    "stylist",
    "stylists",
    "lads",
    "girls",
    "admin",
    "boss",
    "owner",
    "reception",
    "office",
    "mechanic",
    "mechanics",
    "teacher",
    "doctor",
    "dentist",
    "nurse",
    "therapist",
    "artist",
    "technician",
    "groomer",
    "whoever",
    "ladies",
    "lady",
    "practitioner",
    "barber",
];

/// Words that put a clause in the past ("he did my tyres before", "had
/// highlights last time").
pub(crate) const PAST: &[&str] = &[
    "my last",
    "her last",
    "his last",
    "our last",
    "their last",
    "told me",
    "did",
    "had",
    "was",
    "were",
    "ago",
    "previously",
    "last time",
    "last month",
    "last week",
    "last year",
    "used to",
];

/// Ways of asking to have something ("can i get a sexual health screen
/// monday lunchtime"): a request, though said as a question.
pub(crate) const ASKING_TO_HAVE: &[&str] = &[
    "can i get",
    "could i get",
    "can i have",
    "could i have",
    "can we get",
    "could we get",
    "can i grab",
    "can i book",
    "could i book",
    "can we book",
    "can i come in for",
    "can i come for",
    "can i pop in for",
    "can i squeeze in",
    "can i schedule",
    "can i make",
];

/// Words of wanting something ("need", "wanna", "looking for").
pub(crate) const WANTING: &[&str] = &["need", "needs", "want", "wanna", "wants", "looking", "gimme", "book"];

/// Verbs of reaching a person ("speak", "connect", "call").
pub(crate) const REACHING: &[&str] = &[
    "speak", "talk", "chat", "connect", "transfer", "pass", "call", "ring", "phone", "contact", "reach",
    "touch", "discuss",
];

/// Verbs of a person contacting the customer ("have someone call me",
/// "get in touch").
pub(crate) const CONTACTING: &[&str] = &["call", "ring", "phone", "contact", "text", "email", "touch"];

/// What a person is asked to do to take a matter on ("look into", "deal with").
pub(crate) const TAKING_ON: &[&str] =
    &["look into", "look at this", "sort this", "sort it", "deal with", "get back to me", "follow up"];

/// Ways of asking for the first free time ("earliest", "next available", "asap").
pub(crate) const EARLIEST: &[&str] = &[
    "earliest",
    "first available",
    "next available",
    "soonest",
    "first free",
    "first opening",
    "early as possible",
    "early as poss",
    "early as you can",
    "early as you have",
    "first one",
    "first slot",
    "first appointment",
    "as soon as possible",
    "asap",
    "earlier the better",
    "sooner the better",
    "straight away",
    "right away",
];

/// Ways of asking for the last free time of a day ("latest", "late as you can").
pub(crate) const LATEST: &[&str] =
    &["latest", "late as you can", "late as possible", "late as poss", "last appointment", "last slot"];

/// Ways of asking whether anything is free, which ask for a booking when a
/// day comes with them ("have you owt sat 31st?", "would ye have anything
/// tomorrow?"); alone they may ask for a product ("do you have anything
/// for a dry scalp?"). "you" stands for its written forms.
pub(crate) const ASKING_FOR_ANYTHING: &[&str] = &[
    "you have anything",
    "have you anything",
    "you got anything",
    "got anything",
    "anything free",
    "anything available",
    "anything going",
    "anything open",
    "any space",
    "any room",
    "any gaps",
    "any gap",
    "you have owt",
    "have you owt",
    "got owt",
    "owt free",
    "anything left",
];

/// Ways of asking which times are free ("what times", "any availability").
pub(crate) const ASKING_FOR_TIMES: &[&str] = &[
    "what times",
    "which times",
    "what time do you have",
    "what times do you have",
    "what do you have",
    "what have you got",
    "what's available",
    "whats available",
    "what is available",
    "when are you free",
    "when is there",
    "when do you have",
    "any openings",
    "any availability",
    "what availability",
    "your availability",
    "free slots",
    "available slots",
    "available times",
    "what slots",
    "which slots",
    "what's free",
    "whats free",
    "when can you fit me",
];

/// Words of changing the booking just made ("instead", "push", "same time").
pub(crate) const BOOKING_CHANGES: &[&str] = &[
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
    "prepone",
];

/// Words of what a customer usually does ("every month", "I normally").
pub(crate) const HABIT: &[&str] = &["every", "usually", "normally", "always", "regularly", "typically"];

/// Words that ask for one more booking rather than a change to the one
/// made ("can I also get one for my son at 4").
pub(crate) const ANOTHER_BOOKING: &[&str] =
    &["another", "also", "too", "as well", "one more", "additional", "separate", "both"];

/// Things other businesses sell, which a customer may ask any assistant to
/// get ("can you get me a train ticket to London for tomorrow?"): asked
/// for with no service or person of the business named, out of scope.
pub(crate) const ERRANDS_ELSEWHERE: &[&str] = &[
    "train ticket",
    "train tickets",
    "plane ticket",
    "plane tickets",
    "bus ticket",
    "bus tickets",
    "concert tickets",
    "movie tickets",
    "cinema tickets",
    "theatre tickets",
    "theater tickets",
    "flight",
    "flights",
    "a taxi",
    "a cab",
    "an uber",
    "a pizza",
    "takeaway",
    "takeout",
    "restaurant",
    "hire car",
    "rental car",
    "car rental",
];

/// Words that make a question about a service rather than a request for
/// one: its price or length, or whether it suits the customer's condition
/// ("what do you charge for a facial?", "I'm 22 weeks gone, could you
/// still do a massage?").
pub(crate) const ABOUT_A_SERVICE: &[&str] = &[
    "how much",
    "what do you charge",
    "what do u charge",
    "what would it cost",
    "what does it cost",
    "what's the cost",
    "whats the cost",
    "what's the price",
    "whats the price",
    "the price for",
    "the price of",
    "the cost of",
    "charge for",
    "charge to",
    "how much for",
    "how long does",
    "how long do",
    "how long will",
    "pregnant",
    "pregnancy",
    "weeks gone",
    "expecting a baby",
    "breastfeeding",
    "allergic",
    "allergy",
    "allergies",
    "sensitive skin",
];

/// Ways of saying a visit comes without a booking ("can I just show up
/// without booking?"): a question about walking in, not a booking.
pub(crate) const WITHOUT_BOOKING: &[&str] = &[
    "without booking",
    "without a booking",
    "without an appointment",
    "without appointment",
    "without an appt",
    "without making an appointment",
    "without booking ahead",
    "no appointment",
    "no booking",
    "don't need to book",
    "dont need to book",
    "do i need to book",
    "do i need an appointment",
    "do i have to book",
    "just show up",
    "just turn up",
    "just walk in",
    "just rock up",
    "just drop in",
    "walk in",
    "walk ins",
];

/// Words that ask whether something must be done, before "need to" or
/// "have to" ("do I have to pay upfront", "will she need to book").
pub(crate) const OBLIGATION_ASKS: &[&str] = &["do", "does", "did", "will", "would", "should", "must"];

/// Other ways of asking whether something is required.
pub(crate) const OBLIGATIONS: &[&str] = &[
    "must i",
    "must we",
    "is it necessary",
    "is there a need",
    "required",
    "compulsory",
    "mandatory",
    "obligatory",
];

/// Words that change what was said ("actually", "instead", "make it").
pub(crate) const CHANGE_WORDS: &[&str] = &[
    "actually",
    "instead",
    "rather",
    "change",
    "changed",
    "switch",
    "swap",
    "make it",
    "make that",
    "i meant",
    "i mean",
    "not a",
    "not the",
    "needs to be",
    "should be",
    "has to be",
    "as well",
    "also",
];

/// Words that ask whether a time is free ("is 10 am open?").
pub(crate) const FREE_WORDS: &[&str] = &[
    "open",
    "free",
    "available",
    "availability",
    "possible",
    "doable",
    "work",
    "works",
    "ok",
    "okay",
    "good",
];

/// Words of thanks ("thank you", "cheers").
pub(crate) const THANKS: &[&str] = &["thanks", "thank", "thx", "ty", "cheers", "ta", "thankyou", "tysm"];

/// Words that go with thanks ("thank you so much x").
pub(crate) const THANKS_AROUND: &[&str] =
    &["you", "u", "so", "very", "much", "many", "a", "lot", "again", "x", "xx", "xxx", "smashing", "that's"];

/// Ways of writing "you" ("as early as ye can", "what do u have").
pub(crate) const SECOND_PERSON: &[&str] = &["u", "ye", "ya", "yu", "yous", "youse", "yall", "y'all"];

/// Ways of asking to cancel without the word ("can you take the booking
/// off?", "scrap that").
pub(crate) const UNBOOKING: &[&str] = &[
    "take the booking off",
    "take the appointment off",
    "take it off",
    "take me off",
    "unbook",
    "call it off",
    "scrap the booking",
    "scrap it",
    "scrap that",
];

/// Ways of calling off the booking just made ("scrap", "can't make it", "forget it").
pub(crate) const CALLING_OFF: &[&str] = &[
    "cancel",
    "take the booking off",
    "take the appointment off",
    "take me off",
    "scrap",
    "call off",
    "call it off",
    "call this off",
    "call that off",
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
