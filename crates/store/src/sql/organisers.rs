//! Organisers, workspaces, memberships, sessions, the setup link and the audit trail.

use async_trait::async_trait;
use sqlx::Row;
use undersigned_core::Role;

use super::{Conn, Ctx, DIALECT, DbRow, SqlStore, is_unique_violation, storable};
use crate::{OrganiserStore, StoreError, model::*, parse_stored};

/// Appends to the audit trail inside the caller's transaction.
pub(super) async fn audit(
    conn: &mut Conn,
    actor: Option<Actor>,
    workspace: Option<WorkspaceId>,
    action: &str,
    subject: &str,
    detail: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_events (workspace_id, user_id, action, subject, detail, at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(workspace.or(actor.map(|a| a.workspace)).map(|w| w.0))
    .bind(actor.map(|a| a.user.0))
    .bind(action)
    .bind(subject)
    .bind(detail)
    .bind(at)
    .execute(conn)
    .await
    .ctx("recording an audit event")?;
    Ok(())
}

pub(super) async fn insert_user(conn: &mut Conn, user: &NewUser) -> Result<UserId, StoreError> {
    let result = sqlx::query_scalar(
        "INSERT INTO users (email, name, password_hash, created_at) VALUES ($1, $2, $3, $4)
         RETURNING id",
    )
    .bind(&user.email)
    .bind(&user.name)
    .bind(&user.password_hash)
    .bind(user.created_at)
    .fetch_one(conn)
    .await;
    match result {
        Ok(id) => Ok(UserId(id)),
        Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict("email")),
        Err(e) => Err(e).ctx("creating an organiser"),
    }
}

async fn insert_workspace(
    conn: &mut Conn,
    workspace: &NewWorkspace,
) -> Result<WorkspaceId, StoreError> {
    let result = sqlx::query_scalar(
        "INSERT INTO workspaces (slug, name, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(workspace.slug.as_str())
    .bind(&workspace.name)
    .bind(workspace.created_at)
    .fetch_one(conn)
    .await;
    match result {
        Ok(id) => Ok(WorkspaceId(id)),
        Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict("slug")),
        Err(e) => Err(e).ctx("creating a workspace"),
    }
}

async fn upsert_membership(
    conn: &mut Conn,
    workspace: WorkspaceId,
    user: UserId,
    role: Role,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, $3)
         ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = EXCLUDED.role",
    )
    .bind(workspace.0)
    .bind(user.0)
    .bind(role.as_str())
    .execute(conn)
    .await
    .ctx("setting a membership")?;
    Ok(())
}

pub(super) fn user_from_row(row: &DbRow) -> Result<User, StoreError> {
    Ok(User {
        id: UserId(row.try_get("id").ctx("reading an organiser")?),
        email: row.try_get("email").ctx("reading an organiser")?,
        name: row.try_get("name").ctx("reading an organiser")?,
        password_hash: row.try_get("password_hash").ctx("reading an organiser")?,
    })
}

#[async_trait]
impl OrganiserStore for SqlStore {
    async fn check_instance_key(&self, fingerprint: &str) -> Result<bool, StoreError> {
        sqlx::query(
            "INSERT INTO instance_facts (name, value) VALUES ('instance_key', $1)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(fingerprint)
        .execute(&self.pool)
        .await
        .ctx("checking the instance key")?;
        let recorded: String =
            sqlx::query_scalar("SELECT value FROM instance_facts WHERE name = 'instance_key'")
                .fetch_one(&self.pool)
                .await
                .ctx("checking the instance key")?;
        Ok(recorded == fingerprint)
    }

    async fn user_count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await
            .ctx("counting organisers")?;
        Ok(n.max(0) as u64)
    }

    async fn add_setup_token(
        &self,
        token_hash: Hash32,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM setup_tokens WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *tx)
            .await
            .ctx("storing a setup link")?;
        sqlx::query("INSERT INTO setup_tokens (token_hash, expires_at) VALUES ($1, $2)")
            .bind(&token_hash[..])
            .bind(expires_at)
            .execute(&mut *tx)
            .await
            .ctx("storing a setup link")?;
        tx.commit().await.ctx("storing a setup link")
    }

    async fn setup_token_valid(
        &self,
        token_hash: Hash32,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let found: Option<bool> = sqlx::query_scalar(
            "SELECT TRUE FROM setup_tokens WHERE token_hash = $1 AND expires_at > $2
             AND NOT EXISTS (SELECT 1 FROM users)",
        )
        .bind(&token_hash[..])
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .ctx("checking the setup link")?;
        Ok(found.is_some())
    }

    async fn complete_setup(
        &self,
        token_hash: Hash32,
        now: Timestamp,
        workspace: NewWorkspace,
        owner: NewUser,
    ) -> Result<(WorkspaceId, UserId), StoreError> {
        let mut tx = self.begin_write().await?;
        if let Some(lock) = DIALECT.setup_lock {
            sqlx::query(lock)
                .execute(&mut *tx)
                .await
                .ctx("setting up")?;
        }
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&mut *tx)
            .await
            .ctx("setting up")?;
        if users > 0 {
            return Err(StoreError::Conflict("organiser"));
        }
        let consumed =
            sqlx::query("DELETE FROM setup_tokens WHERE token_hash = $1 AND expires_at > $2")
                .bind(&token_hash[..])
                .bind(now)
                .execute(&mut *tx)
                .await
                .ctx("setting up")?;
        if consumed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        // Every other process's link is spent too.
        sqlx::query("DELETE FROM setup_tokens")
            .execute(&mut *tx)
            .await
            .ctx("setting up")?;
        let workspace_id = insert_workspace(&mut tx, &workspace).await?;
        let user_id = insert_user(&mut tx, &owner).await?;
        upsert_membership(&mut tx, workspace_id, user_id, Role::Owner).await?;
        let actor = Actor {
            user: user_id,
            workspace: workspace_id,
        };
        audit(
            &mut tx,
            Some(actor),
            None,
            "instance.setup",
            &format!("workspace {}", workspace.slug),
            "",
            now,
        )
        .await?;
        tx.commit().await.ctx("setting up")?;
        Ok((workspace_id, user_id))
    }

    async fn create_user(&self, user: NewUser) -> Result<UserId, StoreError> {
        let mut conn = self.pool.acquire().await.ctx("creating an organiser")?;
        insert_user(&mut conn, &user).await
    }

    async fn set_password(&self, user: UserId, password_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .ctx("changing a password")?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .ctx("changing a password")?;
        tx.commit().await.ctx("changing a password")
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        if !storable(email) {
            return Ok(None);
        }
        let row = sqlx::query("SELECT id, email, name, password_hash FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(&self.pool)
            .await
            .ctx("looking up an organiser")?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn create_workspace(&self, workspace: NewWorkspace) -> Result<WorkspaceId, StoreError> {
        let mut conn = self.pool.acquire().await.ctx("creating a workspace")?;
        insert_workspace(&mut conn, &workspace).await
    }

    async fn workspace_by_slug(&self, slug: &str) -> Result<Option<Workspace>, StoreError> {
        if !storable(slug) {
            return Ok(None);
        }
        let row = sqlx::query("SELECT id, slug, name FROM workspaces WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&self.pool)
            .await
            .ctx("looking up a workspace")?;
        row.map(|row| {
            Ok(Workspace {
                id: WorkspaceId(row.try_get("id").ctx("reading a workspace")?),
                slug: row.try_get("slug").ctx("reading a workspace")?,
                name: row.try_get("name").ctx("reading a workspace")?,
            })
        })
        .transpose()
    }

    async fn set_membership(
        &self,
        workspace: WorkspaceId,
        user: UserId,
        role: Role,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.ctx("setting a membership")?;
        upsert_membership(&mut conn, workspace, user, role).await
    }

    async fn memberships(&self, user: UserId) -> Result<Vec<Membership>, StoreError> {
        // Byte order, whatever the database's locale.
        let rows = sqlx::query(concat!(
            "SELECT w.id, w.slug, w.name, m.role FROM memberships m
             JOIN workspaces w ON w.id = m.workspace_id
             WHERE m.user_id = $1 ORDER BY w.name",
            bytewise!(),
            ", w.id"
        ))
        .bind(user.0)
        .fetch_all(&self.pool)
        .await
        .ctx("listing memberships")?;
        rows.iter()
            .map(|row| {
                let role: String = row.try_get("role").ctx("reading a membership")?;
                Ok(Membership {
                    workspace: Workspace {
                        id: WorkspaceId(row.try_get("id").ctx("reading a membership")?),
                        slug: row.try_get("slug").ctx("reading a membership")?,
                        name: row.try_get("name").ctx("reading a membership")?,
                    },
                    role: parse_stored(&role, "role")?,
                })
            })
            .collect()
    }

    async fn create_session(&self, session: NewSession) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(session.created_at)
            .execute(&mut *tx)
            .await
            .ctx("removing expired sessions")?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&session.id_hash[..])
        .bind(session.user_id.0)
        .bind(&session.csrf_token)
        .bind(session.created_at)
        .bind(session.expires_at)
        .execute(&mut *tx)
        .await
        .ctx("creating a session")?;
        tx.commit().await.ctx("creating a session")
    }

    async fn session(
        &self,
        id_hash: Hash32,
        now: Timestamp,
    ) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.name, u.password_hash, s.csrf_token, s.expires_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id_hash = $1 AND s.expires_at > $2",
        )
        .bind(&id_hash[..])
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .ctx("looking up a session")?;
        row.map(|row| {
            Ok(Session {
                user: user_from_row(&row)?,
                csrf_token: row.try_get("csrf_token").ctx("reading a session")?,
                expires_at: row.try_get("expires_at").ctx("reading a session")?,
            })
        })
        .transpose()
    }

    async fn delete_session(&self, id_hash: Hash32) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(&id_hash[..])
            .execute(&self.pool)
            .await
            .ctx("ending a session")?;
        Ok(())
    }

    async fn record_audit(
        &self,
        actor: Actor,
        action: &str,
        subject: &str,
        detail: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.ctx("recording an audit event")?;
        audit(&mut conn, Some(actor), None, action, subject, detail, at).await
    }

    async fn audit_events(
        &self,
        workspace: WorkspaceId,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.at, u.name AS user_name, a.action, a.subject, a.detail
             FROM audit_events a LEFT JOIN users u ON u.id = a.user_id
             WHERE a.workspace_id = $1 ORDER BY a.at DESC, a.id DESC LIMIT $2",
        )
        .bind(workspace.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .ctx("reading the audit trail")?;
        rows.iter()
            .map(|row| {
                Ok(AuditEvent {
                    at: row.try_get("at").ctx("reading the audit trail")?,
                    user_name: row.try_get("user_name").ctx("reading the audit trail")?,
                    action: row.try_get("action").ctx("reading the audit trail")?,
                    subject: row.try_get("subject").ctx("reading the audit trail")?,
                    detail: row.try_get("detail").ctx("reading the audit trail")?,
                })
            })
            .collect()
    }
}
