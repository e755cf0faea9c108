//! Hosting businesses: provisioning a tenant (its time zone, its owner
//! invited by a one-time link, optionally its bot), inviting a tenant's
//! user again, and an owner inviting a colleague. The operator's CLI, the
//! operator API and the admin API all come here.

use chrono::{DateTime, TimeDelta, Utc};
use concierge_core::dialog::{check_spec, CheckedSpec};
use concierge_store::{IssuedInvite, Store, StoreError, Tenant, TenantId, User};

use crate::ServiceError;

/// How long an invitation link stays valid.
pub const INVITE_TTL: TimeDelta = TimeDelta::days(7);

/// What the operator gives to host a new business.
#[derive(Debug, Clone)]
pub struct NewTenant {
    /// The tenant's id, used in URLs: 1 to 64 letters, digits, `-` or `_`.
    pub slug: String,
    /// The business's name.
    pub name: String,
    /// Its IANA time zone (`Europe/Dublin`).
    pub timezone: String,
    /// The owner's email; the owner sets a password through the invitation.
    pub owner_email: String,
    /// A bot spec (YAML or JSON) to install as the tenant's active bot.
    pub bot_spec: Option<String>,
}

/// A provisioned tenant: what the operator passes on to the owner.
#[derive(Debug)]
pub struct ProvisionedTenant {
    /// The tenant.
    pub tenant: Tenant,
    /// Its owner (who has no usable password until the invitation is accepted).
    pub owner: User,
    /// The owner's one-time invitation.
    pub invitation: IssuedInvite,
    /// The installed bot and its active version, when a spec was given.
    pub bot: Option<(String, i32)>,
}

/// A [`NewTenant`] whose every field was checked, its spec as the engine
/// loads it: what [`provision`] writes.
#[derive(Debug)]
pub struct CheckedTenant {
    id: TenantId,
    name: String,
    timezone: String,
    owner_email: String,
    spec: Option<CheckedSpec>,
}

impl NewTenant {
    /// Checks the slug, time zone, owner's email, name and bot spec (this
    /// trains the bot's classifier: CPU work, off async workers). A bad one
    /// is [`ServiceError::Invalid`] or [`ServiceError::InvalidSpec`].
    pub fn check(&self) -> Result<CheckedTenant, ServiceError> {
        let id = tenant_slug(&self.slug)?;
        if self.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(ServiceError::Invalid(format!(
                "unknown time zone {:?} (an IANA name such as Europe/Dublin)",
                self.timezone
            )));
        }
        let email = self.owner_email.trim();
        if !is_email(email) {
            return Err(ServiceError::Invalid(format!("{email:?} is not an email address")));
        }
        if self.name.trim().is_empty() {
            return Err(ServiceError::Invalid("the business needs a name".into()));
        }
        let spec = self.bot_spec.as_deref().map(check_spec).transpose()?;
        Ok(CheckedTenant {
            id,
            name: self.name.trim().to_owned(),
            timezone: self.timezone.clone(),
            owner_email: email.to_owned(),
            spec,
        })
    }
}

/// Creates the checked tenant, its owner, the owner's invitation and its
/// bot, as one: if a step fails, what the steps before it wrote is erased.
/// An existing slug is [`StoreError::Duplicate`].
pub async fn provision(
    store: &dyn Store,
    checked: &CheckedTenant,
    now: DateTime<Utc>,
) -> Result<ProvisionedTenant, ServiceError> {
    let CheckedTenant { id, name, timezone, owner_email: email, spec } = checked;
    let tenant = store.create_tenant_with_id(id, name).await?;
    let made = async {
        let tenant = store.set_tenant_timezone(id, Some(timezone)).await?;
        let owner = store.create_user(id, email, &unknown_password()?, "owner").await?;
        let invitation = store.create_invite(id, &owner.id, now, INVITE_TTL).await?;
        let bot = match spec {
            Some(checked) => {
                let bot = store.create_bot(id, &format!("{} concierge", tenant.name)).await?;
                let version = store.add_bot_version(id, &bot.id, &checked.value).await?;
                store.activate_bot_version(id, &bot.id, version).await?;
                Some((bot.id, version))
            }
            None => None,
        };
        Ok::<_, ServiceError>(ProvisionedTenant { tenant, owner, invitation, bot })
    }
    .await;
    match made {
        Ok(made) => Ok(made),
        Err(error) => {
            if let Err(cleanup) = store.delete_tenant(&tenant.id).await {
                tracing::error!(tenant = %tenant.id, %cleanup, "erasing a half-made tenant failed");
            }
            Err(error)
        }
    }
}

/// Issues a new one-time invitation for the tenant's user with this email
/// (a forgotten password, or an owner whose link expired).
pub async fn invite_user(
    store: &dyn Store,
    tenant: &TenantId,
    email: &str,
    now: DateTime<Utc>,
) -> Result<(User, IssuedInvite), ServiceError> {
    let email = email.trim().to_lowercase();
    let user = store
        .users(tenant)
        .await?
        .into_iter()
        .find(|u| u.email == email)
        .ok_or(StoreError::NotFound { what: "user", id: email })?;
    let invitation = store.create_invite(tenant, &user.id, now, INVITE_TTL).await?;
    Ok((user, invitation))
}

/// Adds a staff member to a tenant with this role and no usable password,
/// and issues their one-time invitation (an owner inviting a colleague). An
/// email already in the tenant is [`StoreError::Duplicate`]; if issuing the
/// invitation fails the account is not left behind.
pub async fn invite_new_user(
    store: &dyn Store,
    tenant: &TenantId,
    email: &str,
    role: &str,
    now: DateTime<Utc>,
) -> Result<(User, IssuedInvite), ServiceError> {
    let email = email.trim().to_lowercase();
    if !is_email(&email) || email.len() > 254 {
        return Err(ServiceError::Invalid(format!("{email:?} is not an email address")));
    }
    let user = store.create_user(tenant, &email, &unknown_password()?, role).await?;
    match store.create_invite(tenant, &user.id, now, INVITE_TTL).await {
        Ok(invitation) => Ok((user, invitation)),
        Err(error) => {
            if let Err(cleanup) = store.remove_user(tenant, &user.id).await {
                tracing::error!(tenant = %tenant, %cleanup, "removing a user whose invitation failed");
            }
            Err(error.into())
        }
    }
}

/// The page where an invitation is accepted, on the server at `public_url`.
/// The secret travels in the fragment, which browsers do not send to
/// servers or put in `Referer` headers.
pub fn invite_link(public_url: &str, secret: &str) -> String {
    format!("{}/invite#{secret}", public_url.trim_end_matches('/'))
}

/// A tenant id from operator input, with the rule spelled out when it is bad.
pub fn tenant_slug(text: &str) -> Result<TenantId, ServiceError> {
    TenantId::parse(text).map_err(|_| {
        ServiceError::Invalid(format!("bad tenant slug {text:?}: 1 to 64 letters, digits, '-' or '_'"))
    })
}

fn is_email(text: &str) -> bool {
    matches!(text.split_once('@'), Some((local, domain))
        if !local.is_empty() && domain.contains('.') && !text.contains(char::is_whitespace))
}

/// A password nobody knows, until the invitation sets one.
fn unknown_password() -> Result<String, ServiceError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| ServiceError::Randomness(e.to_string()))?;
    Ok(hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_links() {
        assert!(is_email("owner@salon.ie"));
        for bad in ["owner", "@salon.ie", "owner@salon", "own er@salon.ie", ""] {
            assert!(!is_email(bad), "{bad}");
        }
        assert_eq!(invite_link("https://c.example/", "inv_x.1"), "https://c.example/invite#inv_x.1");
        assert!(matches!(tenant_slug("has space"), Err(ServiceError::Invalid(_))));
    }
}
