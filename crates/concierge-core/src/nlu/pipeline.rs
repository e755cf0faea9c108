//! The NLU pipeline a bot runs on every message: intent ranking plus entities.

use chrono::DateTime;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::entities::EntityExtractor;
use super::lexical::{LexicalClassifier, LexicalConfig};
use super::{Entity, IntentClassifier, IntentScore, TrainError, TrainingExample};
use crate::spec::{parse_annotations, BotSpec, SpecError};

/// Prefix of the pseudo-intents trained from knowledge-base questions.
pub const KNOWLEDGE_INTENT_PREFIX: &str = "faq/";

/// What a message means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parse {
    /// Intents, most likely first.
    pub intents: Vec<IntentScore>,
    /// The intent acted on: the top one when it clears the threshold and
    /// is not the out-of-scope intent.
    pub intent: Option<IntentScore>,
    /// Entities found.
    pub entities: Vec<Entity>,
}

/// Why the NLU could not be built.
#[derive(Debug, thiserror::Error)]
pub enum NluError {
    /// The spec's entities are unusable.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// The classifier could not be trained.
    #[error("training the intent classifier failed: {0}")]
    Train(#[from] TrainError),
    /// The spec asks for the embedding classifier but no sentence encoder
    /// was given (hosts load one, for example from the directory
    /// `scripts/fetch-model.sh` fills, and call `Nlu::from_spec_with_encoder`).
    #[error(
        "the spec asks for the embedding classifier (nlu.classifier: embedding) but no sentence \
         encoder was loaded; run scripts/fetch-model.sh and load it, or use nlu.classifier: lexical"
    )]
    EncoderRequired,
}

/// A trained classifier and entity extractor for one bot.
pub struct Nlu {
    classifier: Box<dyn IntentClassifier>,
    extractor: EntityExtractor,
    threshold: f32,
    out_of_scope_intent: Option<String>,
}

impl std::fmt::Debug for Nlu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nlu").field("classifier", &self.classifier.kind()).finish_non_exhaustive()
    }
}

/// The training examples of a spec: its intents' examples (annotations
/// removed) and one pseudo-intent per knowledge entry (`faq/<id>`), so
/// questions about the business compete with the other intents.
pub fn training_examples(spec: &BotSpec) -> Vec<TrainingExample> {
    let mut out = Vec::new();
    for intent in &spec.intents {
        for ex in &intent.examples {
            let text = parse_annotations(ex).map(|a| a.text).unwrap_or_else(|_| ex.clone());
            out.push(TrainingExample { text, intent: intent.name.clone() });
        }
    }
    for entry in &spec.knowledge {
        let intent = format!("{KNOWLEDGE_INTENT_PREFIX}{}", entry.id);
        for q in std::iter::once(&entry.question).chain(&entry.alternatives) {
            out.push(TrainingExample { text: q.clone(), intent: intent.clone() });
        }
    }
    out
}

impl Nlu {
    /// Trains the spec's classifier with the lexical features. A spec that
    /// asks for the embedding classifier gives [`NluError::EncoderRequired`]:
    /// that one needs an encoder (`Nlu::from_spec_with_encoder`).
    pub fn from_spec(spec: &BotSpec) -> Result<Nlu, NluError> {
        if spec.nlu.classifier == "embedding" {
            return Err(NluError::EncoderRequired);
        }
        let classifier = LexicalClassifier::train(&training_examples(spec), &LexicalConfig::default())?;
        Nlu::with_classifier(spec, Box::new(classifier))
    }

    /// Trains the classifier the spec names: the lexical one, or the
    /// embedding one over `encoder`'s vectors (with the spec's
    /// out-of-scope intent, if any, as an explicit class).
    #[cfg(feature = "embedding")]
    pub fn from_spec_with_encoder(
        spec: &BotSpec,
        encoder: std::sync::Arc<dyn crate::embedding::Embedder>,
    ) -> Result<Nlu, NluError> {
        use super::embedding_classifier::{EmbeddingClassifier, EmbeddingClassifierConfig};
        if spec.nlu.classifier != "embedding" {
            return Nlu::from_spec(spec);
        }
        let config = EmbeddingClassifierConfig {
            oos_label: spec.nlu.out_of_scope_intent.clone(),
            ..EmbeddingClassifierConfig::default()
        };
        let classifier = EmbeddingClassifier::train(encoder, &training_examples(spec), &config)?;
        Nlu::with_classifier(spec, Box::new(classifier))
    }

    /// Uses an already trained classifier (for example the embedding one).
    pub fn with_classifier(spec: &BotSpec, classifier: Box<dyn IntentClassifier>) -> Result<Nlu, NluError> {
        Ok(Nlu {
            classifier,
            extractor: EntityExtractor::new(spec)?,
            threshold: spec.nlu.threshold,
            out_of_scope_intent: spec.nlu.out_of_scope_intent.clone(),
        })
    }

    /// Understands one message, with dates resolved against `now`.
    pub fn parse(&self, text: &str, now: DateTime<Tz>) -> Parse {
        let intents = self.classifier.classify(text);
        let intent = intents
            .first()
            .filter(|top| top.confidence >= self.threshold)
            .filter(|top| Some(&top.intent) != self.out_of_scope_intent.as_ref())
            .cloned();
        Parse { intents, intent, entities: self.extractor.extract(text, now) }
    }

    /// The classifier's short name.
    pub fn classifier_kind(&self) -> &'static str {
        self.classifier.kind()
    }
}
