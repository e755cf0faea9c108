//! The OpenAPI 3.1 description, generated from the handlers with utoipa.
//!
//! [`ApiDoc`] holds what is not tied to a handler (info, tags, security
//! schemes, shared schemas); each module's `routes()` returns a
//! `utoipa_axum` router whose handlers add their paths, and
//! [`crate::server::router`] merges them, so a new module (the admin API) documents
//! itself by being merged there. Add its security scheme in [`SecuritySchemes`].

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::server::error::{ErrorBody, ErrorDetail};

/// What the description says besides the paths.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Concierge",
        description = "Multi-tenant conversational engine: public chat API, WebSocket, operations."
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "chat", description = "The public chat API used by the widget"),
        (name = "operations", description = "Health, readiness and metrics"),
        (name = "operator", description = "The hosting operator's API: provision, list, disable and erase tenants"),
    )
)]
pub(crate) struct ApiDoc;

/// Adds the security schemes.
pub(crate) struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "publishable_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Concierge-Key"))),
        );
        components.add_security_scheme(
            "conversation_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "operator_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
