//! Natural-language understanding: which intent a message expresses and
//! which entities (dates, numbers, phone numbers, ...) it mentions.

pub mod classifier;
pub mod datetime;
#[cfg(feature = "embedding")]
pub mod embedding_classifier;
pub mod entities;
pub mod entity;
pub mod evaluation;
pub mod lexical;
mod pipeline;
pub(crate) mod words;

pub use classifier::{IntentClassifier, IntentScore, TrainError, TrainingExample};
pub use entity::{Entity, EntityValue};
pub use lexical::{LexicalClassifier, LexicalConfig};
pub use pipeline::{training_examples, Nlu, NluError, Parse, KNOWLEDGE_INTENT_PREFIX};
