//! `--demo`: the salon demo tenant, seeded on first start.
//!
//! Seeds tenant `demo-salon` running `examples/salon/bot.yaml` (built into
//! the binary) as the active version of its bot, the publishable key
//! `pk_demo_salon` (allowed from any origin) and the owner
//! `admin@demo-salon.test`. **Demo only**: the key is public knowledge, so
//! never run `--demo` on a server holding real data. Later starts find the
//! key and change nothing.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use concierge_core::spec::BotSpec;
use concierge_store::{NewPublishableKey, Store, StoreError, TenantId};

use super::config::Secret;

/// The demo tenant's id.
pub const DEMO_TENANT: &str = "demo-salon";
/// The demo's publishable key (public: demo only).
pub const DEMO_KEY: &str = "pk_demo_salon";
/// The demo owner's login.
pub const DEMO_ADMIN_EMAIL: &str = "admin@demo-salon.test";
/// The salon bot.
pub const SALON_SPEC: &str = include_str!("../../../../examples/salon/bot.yaml");

/// What seeding did.
#[derive(Debug, Clone)]
pub struct DemoSeed {
    /// The demo tenant.
    pub tenant: TenantId,
    /// Whether this start created it (false: it was there).
    pub created: bool,
    /// The admin password, when this start generated it (print it once).
    pub generated_password: Option<Secret>,
}

/// Why the demo could not be seeded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The store failed.
    #[error("seeding the demo: {0}")]
    Store(#[from] StoreError),
    /// The built-in spec is invalid (a build problem).
    #[error("the built-in salon spec is invalid: {0}")]
    Spec(String),
    /// No randomness for the password.
    #[error("no randomness available: {0}")]
    Random(String),
}

/// Seeds the demo unless its key exists already.
pub async fn seed(store: &dyn Store, admin_password: Option<&Secret>) -> Result<DemoSeed, DemoError> {
    let tenant = TenantId::parse(DEMO_TENANT)?;
    if store.publishable_key(&tenant, DEMO_KEY).await?.is_some() {
        return Ok(DemoSeed { tenant, created: false, generated_password: None });
    }
    match store.create_tenant_with_id(&tenant, "Salon Lumière (demo)").await {
        Ok(_) | Err(StoreError::Duplicate(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let spec = BotSpec::from_yaml(SALON_SPEC).map_err(|e| DemoError::Spec(e.to_string()))?;
    store.set_tenant_timezone(&tenant, Some(&spec.business.timezone)).await?;
    let spec = serde_json::to_value(&spec).map_err(|e| DemoError::Spec(e.to_string()))?;
    let bot = store.create_bot(&tenant, "Salon concierge").await?;
    let version = store.add_bot_version(&tenant, &bot.id, &spec).await?;
    store.activate_bot_version(&tenant, &bot.id, version).await?;
    let (password, generated) = match admin_password {
        Some(p) => (p.clone(), false),
        None => (generate_password()?, true),
    };
    let generated_password =
        match store.create_user(&tenant, DEMO_ADMIN_EMAIL, password.expose(), "owner").await {
            Ok(_) => generated.then_some(password),
            Err(StoreError::Duplicate(_)) => None,
            Err(e) => return Err(e.into()),
        };
    store
        .put_publishable_key(
            &tenant,
            &NewPublishableKey { key: DEMO_KEY.into(), bot_id: bot.id, allowed_origins: vec!["*".into()] },
        )
        .await?;
    Ok(DemoSeed { tenant, created: true, generated_password })
}

fn generate_password() -> Result<Secret, DemoError> {
    let mut bytes = [0u8; 18];
    getrandom::getrandom(&mut bytes).map_err(|e| DemoError::Random(e.to_string()))?;
    Ok(Secret::new(URL_SAFE_NO_PAD.encode(bytes)))
}
