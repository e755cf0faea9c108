//! `concierge tenants`: the operator's commands on a server's database:
//! create a tenant (with its owner's one-time invitation and, optionally,
//! its bot), list, disable, enable, invite again, and delete (the erasure
//! of everything the tenant holds).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use chrono::Utc;
use concierge_service::tenants::{self, NewTenant};
use concierge_service::ServiceError;
use concierge_store::{open, IssuedInvite, Store, StoreConfig, StoreError, Tenant, TenantId};

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
    Ok(tenants::tenant_slug(text)?)
}

async fn create(args: CreateArgs) -> anyhow::Result<ExitCode> {
    // The bot file is read here; the service checks it.
    let bot_spec = match &args.bot {
        Some(path) => {
            Some(std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?)
        }
        None => None,
    };
    let new = NewTenant {
        slug: args.slug,
        name: args.name,
        timezone: args.timezone,
        owner_email: args.owner_email,
        bot_spec,
    };
    // Everything is checked before the database is opened.
    let shown = args.bot.as_deref().map(|p| p.display().to_string()).unwrap_or_default();
    let checked = match new.check() {
        Err(ServiceError::InvalidSpec(problems)) => anyhow::bail!("{shown}: {problems}"),
        other => other?,
    };
    let store = store(&args.db).await?;
    let made = match tenants::provision(store.as_ref(), &checked, Utc::now()).await {
        Err(ServiceError::Store(StoreError::Duplicate(_))) => {
            anyhow::bail!("tenant {} already exists", new.slug)
        }
        other => other?,
    };
    let tenant = &made.tenant;
    outln!("tenant {} ({}) created, time zone {}", tenant.id, tenant.name, new.timezone);
    if let (Some((bot, version)), Some(path)) = (&made.bot, &args.bot) {
        outln!("bot {bot} version {version} active, from {}", path.display());
    }
    print!("owner ");
    print_invited(&made.owner.email, &made.invitation)?;
    outln!("{}", tenants::invite_link(&args.public_url, &made.invitation.secret));
    Ok(ExitCode::SUCCESS)
}

fn print_invited(email: &str, invitation: &IssuedInvite) -> std::io::Result<()> {
    outln!(
        "{email} invited: the link below sets their password, once, until {}",
        invitation.expires_at.format("%Y-%m-%d %H:%M UTC")
    );
    Ok(())
}

fn state(tenant: &Tenant) -> String {
    match tenant.disabled_at {
        Some(at) => format!("disabled {}", at.format("%Y-%m-%d")),
        None => "active".into(),
    }
}

async fn list(args: DatabaseArgs) -> anyhow::Result<ExitCode> {
    let tenants = store(&args).await?.tenants().await?;
    outln!("{:<24} {:<32} {:<20} {:<12} {:<20}", "TENANT", "NAME", "TIME ZONE", "CREATED", "STATE");
    for t in &tenants {
        outln!(
            "{:<24} {:<32} {:<20} {:<12} {:<20}",
            t.id.as_str(),
            t.name,
            t.timezone.as_deref().unwrap_or("-"),
            t.created_at.format("%Y-%m-%d"),
            state(t)
        );
    }
    outln!("{} tenant(s)", tenants.len());
    Ok(ExitCode::SUCCESS)
}

async fn set_disabled(args: TenantArgs, disabled: bool) -> anyhow::Result<ExitCode> {
    let tenant = store(&args.db).await?.set_tenant_disabled(&slug(&args.slug)?, disabled).await?;
    outln!("tenant {}: {}", tenant.id, state(&tenant));
    Ok(ExitCode::SUCCESS)
}

async fn invite(args: InviteArgs) -> anyhow::Result<ExitCode> {
    let id = slug(&args.tenant.slug)?;
    let store = store(&args.tenant.db).await?;
    let (user, invitation) = tenants::invite_user(store.as_ref(), &id, &args.email, Utc::now()).await?;
    print_invited(&user.email, &invitation)?;
    outln!("{}", tenants::invite_link(&args.public_url, &invitation.secret));
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
    outln!("tenant {id} erased: {rows} rows ({})", tables.join(", "));
    Ok(ExitCode::SUCCESS)
}
