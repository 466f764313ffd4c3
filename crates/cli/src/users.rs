//! `undersigned user create`: organisers from the command line.

use std::io::BufRead;

use anyhow::{Context, bail};
use clap::Subcommand;
use undersigned_core::{EmailAddress, PersonName, Role, Slug};
use undersigned_server::{
    config::Settings, format::now, open_store, passwords, secrets::Token,
    services::passwords::NewPassword,
};
use undersigned_store::{DynStore, NewUser, NewWorkspace, StoreError, WorkspaceId};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an organiser (or give an existing one a role) in a workspace.
    Create {
        /// Their email address (their login).
        #[arg(long)]
        email: String,
        /// Their name as shown to other organisers.
        #[arg(long)]
        name: String,
        /// The short name of an existing workspace (or of a new one, with --new-workspace).
        #[arg(long)]
        workspace: String,
        /// Create the workspace when it does not exist. Without it, a workspace name that
        /// does not exist is refused (so that a typo cannot create a workspace).
        #[arg(long)]
        new_workspace: bool,
        /// The workspace's display name, when it is created. Default: the short name.
        #[arg(long)]
        workspace_name: Option<String>,
        /// owner, editor, moderator or viewer.
        #[arg(long, default_value = "editor")]
        role: String,
        /// Read the password from the first line of standard input. Without it, a random
        /// password is generated and printed once.
        #[arg(long)]
        password_stdin: bool,
    },
}

pub async fn run(settings: &Settings, command: UserCommand) -> anyhow::Result<()> {
    let UserCommand::Create {
        email,
        name,
        workspace,
        new_workspace,
        workspace_name,
        role,
        password_stdin,
    } = command;
    let email = EmailAddress::parse(&email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let name = PersonName::parse(&name).map_err(|e| anyhow::anyhow!("--name: {e}"))?;
    let slug = Slug::parse(&workspace).map_err(|e| anyhow::anyhow!("--workspace: {e}"))?;
    let role: Role = role.parse().map_err(|e| anyhow::anyhow!("--role: {e}"))?;
    let (password_text, generated) = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        (line.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        (Token::generate().as_str()[..24].to_owned(), true)
    };
    let password =
        NewPassword::parse(&password_text).map_err(|e| anyhow::anyhow!("password: {e}"))?;

    let store = open_store(settings).await.context("opening the database")?;
    let workspace_id = if new_workspace {
        ensure_workspace(&store, &slug, workspace_name.as_deref()).await?
    } else {
        existing_workspace(&store, &slug).await?
    };
    let hash = passwords(settings)?
        .hash(password)
        .await
        .context("hashing the password")?;
    let login = email.to_string().to_lowercase();
    let user = match store.user_by_email(&login).await? {
        Some(existing) => {
            if !password_stdin {
                println!("{login} exists already; their password is unchanged.");
            } else {
                store.set_password(existing.id, &hash).await?;
                println!("{login} exists already; their password is changed.");
            }
            existing.id
        }
        None => {
            let id = store
                .create_user(NewUser {
                    email: login.clone(),
                    name: name.to_string(),
                    password_hash: hash,
                    created_at: now(),
                })
                .await?;
            println!("Created organiser {login}.");
            if generated {
                println!("Their password (shown once): {password_text}");
            }
            id
        }
    };
    store.set_membership(workspace_id, user, role).await?;
    println!("{login} is {role} of workspace {slug}.");
    store.close().await;
    Ok(())
}

/// Finds the workspace by slug; a name that does not exist is refused with the names that
/// do, and how to create a new one.
async fn existing_workspace(store: &DynStore, slug: &Slug) -> anyhow::Result<WorkspaceId> {
    if let Some(existing) = store.workspace_by_slug(slug.as_str()).await? {
        return Ok(existing.id);
    }
    let known: Vec<String> = store
        .workspaces()
        .await?
        .into_iter()
        .map(|w| w.slug)
        .collect();
    let known = if known.is_empty() {
        "there are none yet".to_owned()
    } else {
        format!("the workspaces are: {}", known.join(", "))
    };
    bail!(
        "--workspace: there is no workspace {slug} ({known}). Check the spelling, or add \
         --new-workspace (and optionally --workspace-name \"Display name\") to create it."
    )
}

/// Finds the workspace by slug, creating it when missing.
pub async fn ensure_workspace(
    store: &DynStore,
    slug: &Slug,
    name: Option<&str>,
) -> anyhow::Result<WorkspaceId> {
    if let Some(existing) = store.workspace_by_slug(slug.as_str()).await? {
        return Ok(existing.id);
    }
    match store
        .create_workspace(NewWorkspace {
            slug: slug.clone(),
            name: name.unwrap_or(slug.as_str()).to_owned(),
            created_at: now(),
        })
        .await
    {
        Ok(id) => {
            println!("Created workspace {slug}.");
            Ok(id)
        }
        Err(StoreError::Conflict(_)) => {
            bail!("workspace {slug} was created at the same time; run again")
        }
        Err(e) => Err(e.into()),
    }
}
