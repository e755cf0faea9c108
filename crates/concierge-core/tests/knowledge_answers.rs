//! The engine answering from the knowledge base: confident answers with
//! their source, choices when unsure, "I don't know" with an offer of a
//! person, and answers worded by a host's language model.

use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use concierge_core::booking::BookingEngine;
use concierge_core::dialog::{ConversationState, Engine, EngineBuilder, Event, Turn, TurnContext};
use concierge_core::language_model::{CompletionRequest, LanguageModel, LanguageModelError};
use concierge_core::spec::BotSpec;

fn salon() -> EngineBuilder {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/salon/bot.yaml");
    let spec = BotSpec::from_yaml(&std::fs::read_to_string(path).unwrap()).unwrap();
    let booker = BookingEngine::in_memory(&spec.business).unwrap();
    Engine::builder(spec, Arc::new(booker))
}

fn say(engine: &Engine, state: ConversationState, text: &str) -> Turn {
    let ctx = TurnContext {
        now: "2026-03-02T14:00:00Z".parse().unwrap(),
        seed: 1,
        conversation_id: "kb-test".into(),
    };
    futures::executor::block_on(engine.handle(state, text, &ctx)).unwrap()
}

fn kb_answer(turn: &Turn) -> Option<(&str, &str)> {
    turn.events.iter().find_map(|e| match e {
        Event::KbAnswer { id, source, .. } => Some((id.as_str(), source.as_str())),
        _ => None,
    })
}

#[test]
fn a_confident_answer_names_its_entry_and_source() {
    let engine = salon().build().unwrap();
    let turn = say(&engine, ConversationState::default(), "is there free wifi for clients?");
    assert_eq!(kb_answer(&turn), Some(("wifi", "bot spec")));
    assert!(turn.replies[0].text.contains("free wifi is available"), "{:?}", turn.replies);
}

#[test]
fn an_unsure_match_offers_choices_and_a_choice_answers() {
    let engine = salon().build().unwrap();
    let turn = say(&engine, ConversationState::default(), "products and prices");
    assert_eq!(kb_answer(&turn), None);
    let buttons = &turn.replies.last().unwrap().buttons;
    assert!((2..=3).contains(&buttons.len()), "{:?}", turn.replies);
    let titles: Vec<&str> = buttons.iter().map(|b| b.title.as_str()).collect();
    assert_eq!(titles[..2], ["What hair products do you use?", "How much do your services cost?"]);
    let chosen = &buttons[1];
    let next = say(&engine, turn.state, &chosen.payload);
    let (id, _) = kb_answer(&next).expect("the choice is answered");
    assert_eq!(engine.spec().knowledge.iter().find(|k| k.id == id).unwrap().question, chosen.title);
}

#[test]
fn an_uncovered_question_gets_i_dont_know_and_an_offer_of_a_person() {
    let engine = salon().build().unwrap();
    let turn = say(&engine, ConversationState::default(), "do you offer eyebrow threading on weekends?");
    assert_eq!(kb_answer(&turn), None);
    let texts: Vec<&str> = turn.replies.iter().map(|r| r.text.as_str()).collect();
    assert!(texts[0].contains("don't know"), "{texts:?}");
    assert!(texts[1].contains("connect you"), "{texts:?}");
    let accepted = say(&engine, turn.state, "yes");
    assert!(
        accepted.events.iter().any(|e| matches!(e, Event::HandoffRequested { .. })),
        "{:?}",
        accepted.events
    );
}

/// A language model that words answers from the prompt, or fails.
struct FakeModel {
    fail: bool,
    prompts: Mutex<Vec<CompletionRequest>>,
}

#[async_trait]
impl LanguageModel for FakeModel {
    async fn complete(&self, request: &CompletionRequest) -> Result<String, LanguageModelError> {
        self.prompts.lock().unwrap().push(request.clone());
        if self.fail {
            return Err(LanguageModelError("offline".into()));
        }
        // Answers with the first entry of the prompt, as a grounded model would.
        let user = &request.messages[1].content;
        let first = user.lines().nth(3).unwrap_or_default();
        Ok(format!("In short: {first}"))
    }
}

#[test]
fn a_language_model_words_the_answer_from_the_entries_and_the_source_stays() {
    let model = Arc::new(FakeModel { fail: false, prompts: Mutex::new(Vec::new()) });
    let engine = salon().language_model(model.clone()).build().unwrap();
    let turn = say(&engine, ConversationState::default(), "do you have parking?");
    assert_eq!(kb_answer(&turn), Some(("parking", "bot spec")));
    assert!(
        turn.replies[0].text.starts_with("In short: Yes: we have four free parking spaces"),
        "{:?}",
        turn.replies
    );
    let prompts = model.prompts.lock().unwrap();
    assert_eq!(prompts[0].purpose, "knowledge_answer");
    assert!(prompts[0].messages[1].content.contains("[1] Do you have parking? (source: bot spec)"));
    assert!(prompts[0].messages[1].content.ends_with("Question: do you have parking?"));

    let failing = Arc::new(FakeModel { fail: true, prompts: Mutex::new(Vec::new()) });
    let engine = salon().language_model(failing).build().unwrap();
    let turn = say(&engine, ConversationState::default(), "do you have parking?");
    assert!(turn.replies[0].text.starts_with("Yes: we have four free parking spaces"), "{:?}", turn.replies);
}
