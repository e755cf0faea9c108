//! `concierge tenants`: the operator's commands on a server's database:
//! create a tenant (with its owner's one-time invitation and, optionally,
//! its bot), list, disable, enable, invite again, and delete (the erasure
//! of everything the tenant holds).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{TimeDelta, Utc};
use concierge_store::{open, IssuedInvite, Store, StoreConfig, StoreError, Tenant, TenantId};

use super::bot_file::load_spec;

/// How long an owner's invitation link stays valid.
pub(crate) const INVITE_TTL: TimeDelta = TimeDelta::days(7);

/// The database `serve` uses by default.
const DEFAULT_DATABASE: &str = "sqlite://concierge-data/concierge.db";

/// The operator's tenant commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum TenantsCommand {
    /// Create a tenant, its owner (invited by a one-time link) and optionally its bot.
    Create(CreateArgs),
    /// List every tenant.
    List(DatabaseArgs),
    /// Refuse a tenant's widget, chat API and logins (nothing is deleted).
    Disable(TenantArgs),
    /// Serve a disabled tenant again.
    Enable(TenantArgs),
    /// Issue a new one-time invitation link for one of a tenant's users.
    Invite(InviteArgs),
    /// Erase a tenant and everything it holds (GDPR erasure of the whole business).
    Delete(DeleteArgs),
}

/// Where the server's data is.
#[derive(Debug, clap::Args)]
pub(crate) struct DatabaseArgs {
    /// The server's database (sqlite://FILE or postgres://...).
    #[arg(long, env = "CONCIERGE_DATABASE_URL", default_value = DEFAULT_DATABASE)]
    database: String,
}

/// One tenant of the server's database.
#[derive(Debug, clap::Args)]
pub(crate) struct TenantArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    /// The tenant's id (its slug).
    slug: String,
}

/// Arguments of `tenants create`.
#[derive(Debug, clap::Args)]
pub(crate) struct CreateArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    /// The tenant's id, used in URLs: 1 to 64 letters, digits, '-' or '_'.
    #[arg(long)]
    slug: String,
    /// The business's name.
    #[arg(long)]
    name: String,
    /// The business's IANA time zone (such as Europe/Dublin).
    #[arg(long)]
    timezone: String,
    /// The owner's email; the owner sets a password through the invitation link.
    #[arg(long)]
    owner_email: String,
    /// A bot spec (YAML or JSON) to install as the tenant's active bot.
    #[arg(long)]
    bot: Option<PathBuf>,
    /// The server's public base URL, for the invitation link.
    #[arg(long, env = "CONCIERGE_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    public_url: String,
}

/// Arguments of `tenants invite`.
#[derive(Debug, clap::Args)]
pub(crate) struct InviteArgs {
    #[command(flatten)]
    tenant: TenantArgs,
    /// The user's email.
    #[arg(long)]
    email: String,
    /// The server's public base URL, for the invitation link.
    #[arg(long, env = "CONCIERGE_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    public_url: String,
}

/// Arguments of `tenants delete`.
#[derive(Debug, clap::Args)]
pub(crate) struct DeleteArgs {
    #[command(flatten)]
    tenant: TenantArgs,
    /// Confirm the erasure: it cannot be undone.
    #[arg(long)]
    yes: bool,
}

pub(crate) fn run(command: TenantsCommand) -> anyhow::Result<ExitCode> {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting tokio")?;
    runtime.block_on(async {
        match command {
            TenantsCommand::Create(args) => create(args).await,
            TenantsCommand::List(args) => list(args).await,
            TenantsCommand::Disable(args) => set_disabled(args, true).await,
            TenantsCommand::Enable(args) => set_disabled(args, false).await,
            TenantsCommand::Invite(args) => invite(args).await,
            TenantsCommand::Delete(args) => delete(args).await,
        }
    })
}

async fn store(db: &DatabaseArgs) -> anyhow::Result<Arc<dyn Store>> {
    let url = &db.database;
    if let Some(path) = url.strip_prefix("sqlite://") {
        // A fresh data directory is created, as `serve` does.
        let file = Path::new(path.split('?').next().unwrap_or(path));
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
    }
    open(&StoreConfig { url: url.clone(), encryption_key: None })
        .await
        .with_context(|| format!("opening {url}"))
}

fn slug(text: &str) -> anyhow::Result<TenantId> {
    TenantId::parse(text)
        .map_err(|_| anyhow::anyhow!("bad tenant slug {text:?}: 1 to 64 letters, digits, '-' or '_'"))
}

fn invite_link(public_url: &str, secret: &str) -> String {
    format!("{}/invite#{secret}", public_url.trim_end_matches('/'))
}

/// A password nobody knows, until the invitation sets one.
fn placeholder_password() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

async fn create(args: CreateArgs) -> anyhow::Result<ExitCode> {
    let id = slug(&args.slug)?;
    if args.timezone.parse::<chrono_tz::Tz>().is_err() {
        anyhow::bail!("unknown time zone {:?} (an IANA name such as Europe/Dublin)", args.timezone);
    }
    let email = args.owner_email.trim();
    if !email.contains('@') || email.contains(char::is_whitespace) {
        anyhow::bail!("--owner-email {email:?} is not an email address");
    }
    // The bot is checked before anything is written.
    let spec = match &args.bot {
        Some(path) => Some(serde_json::to_value(load_spec(path)?)?),
        None => None,
    };
    let store = store(&args.db).await?;
    let tenant = match store.create_tenant_with_id(&id, &args.name).await {
        Err(StoreError::Duplicate(_)) => anyhow::bail!("tenant {id} already exists"),
        other => other?,
    };
    // A tenant is made whole or not at all: a failed step erases what the
    // steps before it wrote.
    let made = set_up(store.as_ref(), &tenant, &args, email, spec).await;
    let invitation = match made {
        Ok(invitation) => invitation,
        Err(e) => {
            store
                .delete_tenant(&id)
                .await
                .with_context(|| format!("{e:#}; and erasing the half-made tenant {id}"))?;
            return Err(e);
        }
    };
    println!("{}", invite_link(&args.public_url, &invitation.secret));
    Ok(ExitCode::SUCCESS)
}

/// The tenant's time zone, owner, invitation and bot.
async fn set_up(
    store: &dyn Store,
    tenant: &Tenant,
    args: &CreateArgs,
    email: &str,
    spec: Option<serde_json::Value>,
) -> anyhow::Result<IssuedInvite> {
    let id = &tenant.id;
    store.set_tenant_timezone(id, Some(&args.timezone)).await?;
    let owner = store.create_user(id, email, &placeholder_password()?, "owner").await?;
    let invitation = store.create_invite(id, &owner.id, Utc::now(), INVITE_TTL).await?;
    println!("tenant {} ({}) created, time zone {}", tenant.id, tenant.name, args.timezone);
    if let (Some(spec), Some(path)) = (spec, &args.bot) {
        let bot = store.create_bot(id, &format!("{} concierge", tenant.name)).await?;
        let version = store.add_bot_version(id, &bot.id, &spec).await?;
        store.activate_bot_version(id, &bot.id, version).await?;
        println!("bot {} version {version} active, from {}", bot.id, path.display());
    }
    print!("owner ");
    print_invited(&owner.email, &invitation);
    Ok(invitation)
}

fn print_invited(email: &str, invitation: &IssuedInvite) {
    println!(
        "{email} invited: the link below sets their password, once, until {}",
        invitation.expires_at.format("%Y-%m-%d %H:%M UTC")
    );
}

fn state(tenant: &Tenant) -> String {
    match tenant.disabled_at {
        Some(at) => format!("disabled {}", at.format("%Y-%m-%d")),
        None => "active".into(),
    }
}

async fn list(args: DatabaseArgs) -> anyhow::Result<ExitCode> {
    let tenants = store(&args).await?.tenants().await?;
    println!("{:<24} {:<32} {:<20} {:<12} {:<20}", "TENANT", "NAME", "TIME ZONE", "CREATED", "STATE");
    for t in &tenants {
        println!(
            "{:<24} {:<32} {:<20} {:<12} {:<20}",
            t.id.as_str(),
            t.name,
            t.timezone.as_deref().unwrap_or("-"),
            t.created_at.format("%Y-%m-%d"),
            state(t)
        );
    }
    println!("{} tenant(s)", tenants.len());
    Ok(ExitCode::SUCCESS)
}

async fn set_disabled(args: TenantArgs, disabled: bool) -> anyhow::Result<ExitCode> {
    let tenant = store(&args.db).await?.set_tenant_disabled(&slug(&args.slug)?, disabled).await?;
    println!("tenant {}: {}", tenant.id, state(&tenant));
    Ok(ExitCode::SUCCESS)
}

async fn invite(args: InviteArgs) -> anyhow::Result<ExitCode> {
    let id = slug(&args.tenant.slug)?;
    let store = store(&args.tenant.db).await?;
    let email = args.email.trim().to_lowercase();
    let user = store
        .users(&id)
        .await?
        .into_iter()
        .find(|u| u.email == email)
        .with_context(|| format!("tenant {id} has no user {email}"))?;
    let invitation = store.create_invite(&id, &user.id, Utc::now(), INVITE_TTL).await?;
    print_invited(&user.email, &invitation);
    println!("{}", invite_link(&args.public_url, &invitation.secret));
    Ok(ExitCode::SUCCESS)
}

async fn delete(args: DeleteArgs) -> anyhow::Result<ExitCode> {
    let id = slug(&args.tenant.slug)?;
    if !args.yes {
        eprintln!(
            "deleting tenant {id} erases everything it holds and cannot be undone: add --yes to confirm"
        );
        return Ok(ExitCode::from(2));
    }
    let erasure = store(&args.tenant.db).await?.delete_tenant(&id).await?;
    let rows: u64 = erasure.rows.iter().map(|(_, n)| n).sum();
    let tables: Vec<String> =
        erasure.rows.iter().filter(|(_, n)| *n > 0).map(|(table, n)| format!("{table} {n}")).collect();
    println!("tenant {id} erased: {rows} rows ({})", tables.join(", "));
    Ok(ExitCode::SUCCESS)
}
