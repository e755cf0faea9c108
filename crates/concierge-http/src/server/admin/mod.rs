//! The admin API: what a tenant's staff (and servers with an API key) use
//! to run their bot. Every route is under `/v1/admin/`, acts on the tenant
//! of the caller's credential (never one named in the URL), and checks the
//! caller's role:
//!
//! | role | may |
//! |---|---|
//! | agent | list and read conversations, watch them live, take one over, answer, release and close it ([`conversations`], [`inbox`], [`handoff`]); read the analytics report ([`analytics`]) |
//! | admin | also knowledge entries, services, staff and hours, bookings, bots and their specs ([`knowledge`], [`catalog`], [`bookings`], [`bots`]) |
//! | owner | also API keys, publishable keys, users and the audit log ([`api_keys`], [`publishable_keys`], [`users`], [`audit_log`]) |
//!
//! A record of another tenant is answered 404 exactly like a missing one.

use concierge_store::NewAuditEntry;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use super::auth::Principal;
use super::error::ApiError;
use super::state::AppState;

pub(super) mod analytics;
pub(super) mod api_keys;
pub(super) mod audit_log;
pub(super) mod bookings;
pub(super) mod bots;
pub(super) mod catalog;
pub(super) mod conversations;
pub(super) mod handoff;
pub(super) mod inbox;
pub(super) mod knowledge;
pub(super) mod publishable_keys;
pub(super) mod users;

/// What the admin API adds to the OpenAPI description besides its paths:
/// its tags and its two security schemes.
#[derive(OpenApi)]
#[openapi(
    modifiers(&AdminSecuritySchemes),
    tags(
        (name = "auth", description = "Staff login, token refresh and logout"),
        (name = "admin", description = "The admin API: conversations, handoff, knowledge, catalog, bookings, bots, keys, users"),
    )
)]
pub(super) struct AdminApiDoc;

/// Adds the `access_token` (staff JWT) and `api_key` (`ck_...`) bearer schemes.
pub(super) struct AdminSecuritySchemes;

impl Modify for AdminSecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "access_token",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build(),
            ),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A tenant's API key, `ck_...`"))
                    .build(),
            ),
        );
    }
}

/// Every admin route (documented in the OpenAPI description).
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(AdminApiDoc::openapi())
        .merge(analytics::routes())
        .merge(conversations::routes())
        .merge(handoff::routes())
        .merge(inbox::routes())
        .merge(knowledge::routes())
        .merge(catalog::routes())
        .merge(bookings::routes())
        .merge(bots::routes())
        .merge(api_keys::routes())
        .merge(publishable_keys::routes())
        .merge(users::routes())
        .merge(audit_log::routes())
}

/// Records an administrative action in the tenant's audit log, with the
/// caller's client address (`details.client`).
pub(crate) async fn audit(
    state: &AppState,
    principal: &Principal,
    action: &str,
    target: Option<&str>,
    mut details: serde_json::Value,
) -> Result<(), ApiError> {
    if let (Some(client), Some(object)) = (principal.client, details.as_object_mut()) {
        object.insert("client".to_owned(), serde_json::Value::String(client.to_string()));
    }
    state
        .store
        .record_audit(
            &principal.tenant,
            &NewAuditEntry {
                actor: principal.name(),
                action: action.to_owned(),
                target: target.map(str::to_owned),
                details,
            },
        )
        .await?;
    Ok(())
}
