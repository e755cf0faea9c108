//! Tests of the lexical classifier on a small salon-like data set.

use super::*;

fn salon_examples() -> Vec<TrainingExample> {
    let data: &[(&str, &[&str])] = &[
        (
            "book_appointment",
            &[
                "i want to book an appointment",
                "can i book a haircut",
                "i'd like to make an appointment",
                "book me in for a trim tomorrow",
                "do you have any openings on friday",
                "schedule a color appointment",
                "i need an appointment next week",
                "can i come in for a blow dry",
                "reserve a slot for me",
                "get me a booking for saturday",
            ],
        ),
        (
            "cancel_appointment",
            &[
                "cancel my appointment",
                "i need to cancel",
                "please cancel my booking",
                "i can't make it, cancel it",
                "call off my appointment tomorrow",
                "cancel the haircut i booked",
                "i want to cancel my reservation",
                "drop my booking please",
                "cancel friday's appointment",
                "remove my appointment",
            ],
        ),
        (
            "opening_hours",
            &[
                "what are your opening hours",
                "when are you open",
                "are you open on sunday",
                "what time do you close",
                "what time do you open tomorrow",
                "hours on saturday",
                "until when are you open today",
                "are you open late on thursday",
                "when do you open",
                "what are your hours",
            ],
        ),
        (
            "prices",
            &[
                "how much is a haircut",
                "what do you charge for color",
                "price of a blow dry",
                "how much does a trim cost",
                "what are your prices",
                "is a beard trim expensive",
                "cost of highlights",
                "how much for a men's cut",
                "price list please",
                "what's the price of a manicure",
            ],
        ),
        (
            "greet",
            &[
                "hi",
                "hello",
                "hey there",
                "good morning",
                "hello, anyone there",
                "hi there",
                "good afternoon",
                "hey",
                "greetings",
                "good evening",
            ],
        ),
    ];
    data.iter()
        .flat_map(|(intent, texts)| {
            texts.iter().map(move |t| TrainingExample { text: t.to_string(), intent: intent.to_string() })
        })
        .collect()
}

fn trained() -> LexicalClassifier {
    LexicalClassifier::train(&salon_examples(), &LexicalConfig::default()).expect("trains")
}

#[test]
fn held_out_paraphrases_get_the_right_intent() {
    let classifier = trained();
    let held_out = [
        ("could i book an apointment for thursday", "book_appointment"),
        ("i would like to cancel my appointment on monday", "cancel_appointment"),
        ("what time are you open on friday", "opening_hours"),
        ("how much do highlights cost", "prices"),
        ("hello there", "greet"),
        ("Cancel my booking!!", "cancel_appointment"),
    ];
    for (text, intent) in held_out {
        let ranking = classifier.classify(text);
        assert_eq!(ranking[0].intent, intent, "{text:?}: {ranking:?}");
    }
}

#[test]
fn confidences_are_probabilities_and_rank_in_domain_above_nonsense() {
    let classifier = trained();
    let ranking = classifier.classify("please cancel my appointment");
    assert_eq!(ranking.len(), 5);
    let sum: f32 = ranking.iter().map(|s| s.confidence).sum();
    assert!((sum - 1.0).abs() < 1e-4, "sum {sum}");
    assert!(ranking.windows(2).all(|w| w[0].confidence >= w[1].confidence));
    let sure = ranking[0].confidence;
    for nonsense in ["", "🙂🙂", "quantum chromodynamics lattice", "xyzzy plugh"] {
        let top = classifier.classify(nonsense)[0].confidence;
        assert!(top < sure, "{nonsense:?} got {top}, in-domain {sure}");
        assert!(top < 0.6, "{nonsense:?} got {top}");
    }
    assert!(sure > 0.6, "in-domain confidence {sure}");
}

#[test]
fn calibration_keeps_out_of_fold_predictions() {
    let classifier = trained();
    let oof = classifier.out_of_fold();
    assert_eq!(oof.len(), salon_examples().len());
    let right = oof.iter().filter(|p| p.predicted == p.gold).count();
    assert!(right * 10 >= oof.len() * 7, "{right}/{}", oof.len());
    assert!(classifier.temperature() > 0.0);
}

#[test]
fn training_is_deterministic() {
    let a = trained();
    let b = trained();
    for text in ["book a haircut", "when do you close", "zzz"] {
        assert_eq!(a.classify(text), b.classify(text));
    }
}

#[test]
fn bad_training_sets_are_errors() {
    let config = LexicalConfig::default();
    assert_eq!(LexicalClassifier::train(&[], &config).unwrap_err(), TrainError::NoExamples);
    let one = [TrainingExample { text: "hi".into(), intent: "greet".into() }];
    assert_eq!(LexicalClassifier::train(&one, &config).unwrap_err(), TrainError::TooFewIntents(1));
}

#[test]
fn an_explicit_oos_class_and_a_threshold_from_out_of_fold_predictions() {
    use crate::nlu::evaluation::{choose_threshold, ThresholdObjective};
    let mut examples = salon_examples();
    for text in [
        "what is the capital of france",
        "tell me a joke",
        "who won the game last night",
        "how tall is mount everest",
        "recommend a good movie",
        "what's the weather like",
        "play some music",
        "how do i fix my car",
        "translate hello into german",
        "what is two plus two",
    ] {
        examples.push(TrainingExample { text: text.into(), intent: "oos".into() });
    }
    let classifier = LexicalClassifier::train(&examples, &LexicalConfig::default()).expect("trains");
    let threshold = choose_threshold(classifier.out_of_fold(), "oos", &ThresholdObjective::default());
    assert!((0.0..1.0).contains(&threshold), "threshold {threshold}");
    let label = |text: &str| {
        let top = &classifier.classify(text)[0];
        if top.confidence < threshold {
            "oos".to_string()
        } else {
            top.intent.clone()
        }
    };
    assert_eq!(label("what is the capital of spain"), "oos");
    assert_eq!(label("tell me a funny joke"), "oos");
    assert_eq!(label("i want to book a haircut"), "book_appointment");
    assert_eq!(label("when are you open on monday"), "opening_hours");
}
