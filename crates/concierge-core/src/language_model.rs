//! The seam to a generative language model, for hosts that want one.
//!
//! Concierge never needs a language model: intents, flows and knowledge
//! answers all work without one. A host that has one (a hosted API, a local
//! model, a Python callable) implements [`LanguageModel`] and registers it
//! with [`EngineBuilder::language_model`](crate::dialog::EngineBuilder::language_model);
//! the engine then asks it to word answers from the knowledge entries it
//! found, and keeps the entries' sources on the answer, so a reply is never
//! more than the business's own material rephrased.

use async_trait::async_trait;

/// One message of a prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptMessage {
    /// Who speaks: `system`, `user` or `assistant`.
    pub role: String,
    /// What is said.
    pub content: String,
}

/// What the engine asks the model for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionRequest {
    /// Why the engine asks (for example `knowledge_answer`), so hosts can
    /// route or log requests.
    pub purpose: String,
    /// The prompt, oldest message first; the first one is usually `system`.
    pub messages: Vec<PromptMessage>,
    /// An upper bound on the answer's length, in tokens.
    pub max_tokens: u32,
}

/// Why a completion failed. The engine then answers without the model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("language model failed: {0}")]
pub struct LanguageModelError(pub String);

/// A generative language model provided by the host.
#[async_trait]
pub trait LanguageModel: Send + Sync {
    /// The model's answer to `request`, as plain text.
    async fn complete(&self, request: &CompletionRequest) -> Result<String, LanguageModelError>;
}
