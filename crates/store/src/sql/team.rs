//! The organiser team: members and their roles, invitations, password resets and the
//! second factor (TOTP).

use async_trait::async_trait;
use sqlx::Row;
use undersigned_core::Role;

use super::{
    Conn, Ctx, SqlStore,
    mail_limits::spend_recipient_budget,
    organisers::{audit, insert_user, user_from_row},
    outbox::enqueue,
    personal, storable,
};
use crate::{StoreError, TeamStore, model::*, parse_stored, sealed::Field, team::*};

/// The first 8 bytes of a token hash in hex: an outbox event key's unique part.
fn token_prefix(token_hash: &Hash32) -> String {
    token_hash[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends an event about an organiser's own account (no workspace) to the audit trail.
async fn audit_account(
    conn: &mut Conn,
    user: UserId,
    action: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_events (workspace_id, user_id, action, subject, detail, at)
         VALUES (NULL, $1, $2, 'account', '', $3)",
    )
    .bind(user.0)
    .bind(action)
    .bind(at)
    .execute(conn)
    .await
    .ctx("recording an audit event")?;
    Ok(())
}

/// The workspace's memberships, locked until the transaction ends (on PostgreSQL; SQLite's
/// write transaction holds the whole database): (user, role, name).
async fn locked_members(
    conn: &mut Conn,
    workspace: WorkspaceId,
) -> Result<Vec<(UserId, Role, String)>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT m.user_id, m.role, u.name FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.workspace_id = $1 ORDER BY m.user_id",
        lock!(FOR UPDATE OF m)
    ))
    .bind(workspace.0)
    .fetch_all(conn)
    .await
    .ctx("reading the team")?;
    rows.iter()
        .map(|row| {
            let role: String = row.try_get("role").ctx("reading the team")?;
            Ok((
                UserId(row.try_get("user_id").ctx("reading the team")?),
                parse_stored(&role, "role")?,
                row.try_get("name").ctx("reading the team")?,
            ))
        })
        .collect()
}

/// Whether changing `member`'s role to `to` (None: removing them) would leave the workspace
/// without an owner.
fn leaves_no_owner(members: &[(UserId, Role, String)], member: UserId, to: Option<Role>) -> bool {
    let owners = members.iter().filter(|(_, r, _)| *r == Role::Owner).count();
    let is_owner = members
        .iter()
        .any(|(u, r, _)| *u == member && *r == Role::Owner);
    is_owner && owners <= 1 && to != Some(Role::Owner)
}

/// Uses an unexpired, unused invitation: (workspace, email, role), or `NotFound`.
async fn use_invitation(
    conn: &mut Conn,
    token_hash: Hash32,
    now: Timestamp,
) -> Result<(WorkspaceId, String, Role), StoreError> {
    let row = sqlx::query(
        "UPDATE invitations SET used_at = $2
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
         RETURNING workspace_id, email, role",
    )
    .bind(&token_hash[..])
    .bind(now)
    .fetch_optional(conn)
    .await
    .ctx("using an invitation")?
    .ok_or(StoreError::NotFound)?;
    let role: String = row.try_get("role").ctx("reading an invitation")?;
    Ok((
        WorkspaceId(row.try_get("workspace_id").ctx("reading an invitation")?),
        row.try_get("email").ctx("reading an invitation")?,
        parse_stored(&role, "role")?,
    ))
}

#[async_trait]
impl TeamStore for SqlStore {
    async fn workspaces(&self) -> Result<Vec<Workspace>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT id, slug, name FROM workspaces ORDER BY slug",
            bytewise!()
        ))
        .fetch_all(&self.pool)
        .await
        .ctx("listing workspaces")?;
        rows.iter()
            .map(|row| {
                Ok(Workspace {
                    id: WorkspaceId(row.try_get("id").ctx("reading a workspace")?),
                    slug: row.try_get("slug").ctx("reading a workspace")?,
                    name: row.try_get("name").ctx("reading a workspace")?,
                })
            })
            .collect()
    }

    async fn members(&self, workspace: WorkspaceId) -> Result<Vec<Member>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT u.id, u.name, u.email, m.role FROM memberships m
             JOIN users u ON u.id = m.user_id
             WHERE m.workspace_id = $1 ORDER BY u.name",
            bytewise!(),
            ", u.id"
        ))
        .bind(workspace.0)
        .fetch_all(&self.pool)
        .await
        .ctx("listing members")?;
        rows.iter()
            .map(|row| {
                let role: String = row.try_get("role").ctx("reading a member")?;
                Ok(Member {
                    user: UserId(row.try_get("id").ctx("reading a member")?),
                    name: row.try_get("name").ctx("reading a member")?,
                    email: row.try_get("email").ctx("reading a member")?,
                    role: parse_stored(&role, "role")?,
                })
            })
            .collect()
    }

    async fn invite(
        &self,
        actor: Actor,
        invitation: NewInvitation,
    ) -> Result<Result<(), TeamRefusal>, StoreError> {
        let mut tx = self.begin_write().await?;
        let member: Option<i64> = sqlx::query_scalar(
            "SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.workspace_id = $1 AND u.email = $2",
        )
        .bind(actor.workspace.0)
        .bind(&invitation.email)
        .fetch_optional(&mut *tx)
        .await
        .ctx("inviting a member")?;
        if member.is_some() {
            return Ok(Err(TeamRefusal::AlreadyMember));
        }
        sqlx::query(
            "INSERT INTO invitations (token_hash, workspace_id, email, role, invited_by,
                 created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&invitation.token_hash[..])
        .bind(actor.workspace.0)
        .bind(&invitation.email)
        .bind(invitation.role.as_str())
        .bind(actor.user.0)
        .bind(invitation.now)
        .bind(invitation.expires_at)
        .execute(&mut *tx)
        .await
        .ctx("inviting a member")?;
        enqueue(
            &mut tx,
            &self.keyring,
            format!("invitation:{}", token_prefix(&invitation.token_hash)),
            EmailKind::Invitation,
            &invitation.email,
            &invitation.email_params,
            invitation.now,
        )
        .await?;
        audit(
            &mut tx,
            Some(actor),
            None,
            "member.invite",
            &format!("invitation for {}", invitation.email),
            &format!("role {}", invitation.role),
            invitation.now,
        )
        .await?;
        tx.commit().await.ctx("inviting a member")?;
        Ok(Ok(()))
    }

    async fn pending_invitations(
        &self,
        workspace: WorkspaceId,
        now: Timestamp,
    ) -> Result<Vec<PendingInvitation>, StoreError> {
        let rows = sqlx::query(
            "SELECT i.token_hash, i.email, i.role, i.expires_at, u.name AS invited_by
             FROM invitations i
             LEFT JOIN users u ON u.id = i.invited_by
             WHERE i.workspace_id = $1 AND i.used_at IS NULL AND i.expires_at > $2
             ORDER BY i.created_at DESC",
        )
        .bind(workspace.0)
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .ctx("listing invitations")?;
        rows.iter()
            .map(|row| {
                let role: String = row.try_get("role").ctx("reading an invitation")?;
                let token_hash: Vec<u8> = row.try_get("token_hash").ctx("reading an invitation")?;
                let token_hash: Hash32 = token_hash
                    .try_into()
                    .map_err(|_| StoreError::Corrupt("invitation token hash".into()))?;
                Ok(PendingInvitation {
                    id: InvitationId::from_hash(token_hash),
                    email: row.try_get("email").ctx("reading an invitation")?,
                    role: parse_stored(&role, "role")?,
                    invited_by: row.try_get("invited_by").ctx("reading an invitation")?,
                    expires_at: row.try_get("expires_at").ctx("reading an invitation")?,
                })
            })
            .collect()
    }

    async fn cancel_invitation(
        &self,
        actor: Actor,
        invitation: InvitationId,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        // Gone, not marked: the link then finds nothing, like a used or expired one, and
        // the address is no longer kept.
        let row = sqlx::query(
            "DELETE FROM invitations
             WHERE token_hash = $1 AND workspace_id = $2 AND used_at IS NULL
               AND expires_at > $3
             RETURNING email, role",
        )
        .bind(&invitation.token_hash()[..])
        .bind(actor.workspace.0)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .ctx("cancelling an invitation")?
        .ok_or(StoreError::NotFound)?;
        let email: String = row.try_get("email").ctx("reading an invitation")?;
        let role: String = row.try_get("role").ctx("reading an invitation")?;
        // Named as `invite` names it, so that the two events read together.
        audit(
            &mut tx,
            Some(actor),
            None,
            "team.invitation.cancel",
            &format!("invitation for {email}"),
            &format!("role {role}"),
            now,
        )
        .await?;
        tx.commit().await.ctx("cancelling an invitation")
    }

    async fn invitation(
        &self,
        token_hash: Hash32,
        now: Timestamp,
    ) -> Result<Option<Invitation>, StoreError> {
        let row = sqlx::query(
            "SELECT w.id, w.slug, w.name, i.email, i.role, i.expires_at,
                    EXISTS (SELECT 1 FROM users u WHERE u.email = i.email) AS has_account
             FROM invitations i JOIN workspaces w ON w.id = i.workspace_id
             WHERE i.token_hash = $1 AND i.used_at IS NULL AND i.expires_at > $2",
        )
        .bind(&token_hash[..])
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .ctx("reading an invitation")?;
        row.map(|row| {
            let role: String = row.try_get("role").ctx("reading an invitation")?;
            Ok(Invitation {
                workspace: Workspace {
                    id: WorkspaceId(row.try_get("id").ctx("reading an invitation")?),
                    slug: row.try_get("slug").ctx("reading an invitation")?,
                    name: row.try_get("name").ctx("reading an invitation")?,
                },
                email: row.try_get("email").ctx("reading an invitation")?,
                role: parse_stored(&role, "role")?,
                expires_at: row.try_get("expires_at").ctx("reading an invitation")?,
                has_account: row.try_get("has_account").ctx("reading an invitation")?,
            })
        })
        .transpose()
    }

    async fn accept_invitation_as_new(
        &self,
        token_hash: Hash32,
        user: NewUser,
    ) -> Result<(WorkspaceId, UserId), StoreError> {
        let mut tx = self.begin_write().await?;
        let (workspace, email, role) = use_invitation(&mut tx, token_hash, user.created_at).await?;
        let user_id = insert_user(
            &mut tx,
            &NewUser {
                email,
                ..user.clone()
            },
        )
        .await?;
        sqlx::query("INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, $3)")
            .bind(workspace.0)
            .bind(user_id.0)
            .bind(role.as_str())
            .execute(&mut *tx)
            .await
            .ctx("adding a member")?;
        audit(
            &mut tx,
            Some(Actor {
                user: user_id,
                workspace,
            }),
            None,
            "member.join",
            &user.name,
            &format!("role {role}, new account"),
            user.created_at,
        )
        .await?;
        tx.commit().await.ctx("adding a member")?;
        Ok((workspace, user_id))
    }

    async fn accept_invitation_as(
        &self,
        token_hash: Hash32,
        user: &User,
        now: Timestamp,
    ) -> Result<WorkspaceId, StoreError> {
        let mut tx = self.begin_write().await?;
        let (workspace, email, role) = use_invitation(&mut tx, token_hash, now).await?;
        if email != user.email {
            return Err(StoreError::Conflict("email"));
        }
        let added = sqlx::query(
            "INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, $3)
             ON CONFLICT (workspace_id, user_id) DO NOTHING",
        )
        .bind(workspace.0)
        .bind(user.id.0)
        .bind(role.as_str())
        .execute(&mut *tx)
        .await
        .ctx("adding a member")?;
        if added.rows_affected() > 0 {
            audit(
                &mut tx,
                Some(Actor {
                    user: user.id,
                    workspace,
                }),
                None,
                "member.join",
                &user.name,
                &format!("role {role}"),
                now,
            )
            .await?;
        }
        tx.commit().await.ctx("adding a member")?;
        Ok(workspace)
    }

    async fn change_role(
        &self,
        actor: Actor,
        member: UserId,
        role: Role,
        now: Timestamp,
    ) -> Result<Result<(), TeamRefusal>, StoreError> {
        let mut tx = self.begin_write().await?;
        let members = locked_members(&mut tx, actor.workspace).await?;
        let Some((_, before, name)) = members.iter().find(|(u, _, _)| *u == member).cloned() else {
            return Err(StoreError::NotFound);
        };
        if leaves_no_owner(&members, member, Some(role)) {
            return Ok(Err(TeamRefusal::LastOwner));
        }
        if before == role {
            return Ok(Ok(()));
        }
        sqlx::query("UPDATE memberships SET role = $1 WHERE workspace_id = $2 AND user_id = $3")
            .bind(role.as_str())
            .bind(actor.workspace.0)
            .bind(member.0)
            .execute(&mut *tx)
            .await
            .ctx("changing a role")?;
        audit(
            &mut tx,
            Some(actor),
            None,
            "member.role",
            &name,
            &format!("{before} → {role}"),
            now,
        )
        .await?;
        tx.commit().await.ctx("changing a role")?;
        Ok(Ok(()))
    }

    async fn remove_member(
        &self,
        actor: Actor,
        member: UserId,
        now: Timestamp,
    ) -> Result<Result<(), TeamRefusal>, StoreError> {
        let mut tx = self.begin_write().await?;
        let members = locked_members(&mut tx, actor.workspace).await?;
        let Some((_, before, name)) = members.iter().find(|(u, _, _)| *u == member).cloned() else {
            return Err(StoreError::NotFound);
        };
        if leaves_no_owner(&members, member, None) {
            return Ok(Err(TeamRefusal::LastOwner));
        }
        sqlx::query("DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2")
            .bind(actor.workspace.0)
            .bind(member.0)
            .execute(&mut *tx)
            .await
            .ctx("removing a member")?;
        audit(
            &mut tx,
            Some(actor),
            None,
            "member.remove",
            &name,
            &format!("was {before}"),
            now,
        )
        .await?;
        tx.commit().await.ctx("removing a member")?;
        Ok(Ok(()))
    }

    async fn request_password_reset(&self, request: ResetRequest) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let user: Option<i64> = if storable(&request.email) {
            sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
                .bind(&request.email)
                .fetch_optional(&mut *tx)
                .await
                .ctx("looking up an organiser")?
        } else {
            None
        };
        let allowed = spend_recipient_budget(
            &mut tx,
            &request.recipient_key,
            request.now,
            request.limits,
            user.is_some(),
        )
        .await?;
        let prefix = token_prefix(&request.token_hash);
        match user {
            Some(user) if allowed => {
                sqlx::query(
                    "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at)
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(&request.token_hash[..])
                .bind(user)
                .bind(request.now)
                .bind(request.expires_at)
                .execute(&mut *tx)
                .await
                .ctx("saving a reset link")?;
                enqueue(
                    &mut tx,
                    &self.keyring,
                    format!("reset:{prefix}"),
                    EmailKind::PasswordReset,
                    &request.email,
                    &request.email_params,
                    request.now,
                )
                .await?;
            }
            _ => {
                // No link: look the (fresh, so never stored) token up in the place of
                // storing it, and record in the outbox that nothing went, without a
                // recipient.
                let _: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM password_resets WHERE token_hash = $1",
                )
                .bind(&request.token_hash[..])
                .fetch_one(&mut *tx)
                .await
                .ctx("saving a reset link")?;
                let reason = if user.is_some() {
                    "over_budget"
                } else {
                    "no_account"
                };
                sqlx::query(
                    "INSERT INTO outbox (event_key, kind, recipient, params, status, attempts,
                                         next_attempt_at, created_at, last_error)
                     VALUES ($1, $2, NULL, NULL, 'pending', 0, $3, $3, $4)",
                )
                .bind(format!("withheld:reset:{prefix}"))
                .bind(EmailKind::PasswordReset.as_str())
                .bind(request.now)
                .bind(reason)
                .execute(&mut *tx)
                .await
                .ctx("queueing an email")?;
            }
        }
        tx.commit().await.ctx("asking for a reset link")
    }

    async fn password_reset_valid(
        &self,
        token_hash: Hash32,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let found: Option<bool> = sqlx::query_scalar(
            "SELECT TRUE FROM password_resets
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(&token_hash[..])
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .ctx("checking a reset link")?;
        Ok(found.is_some())
    }

    async fn complete_password_reset(
        &self,
        token_hash: Hash32,
        password_hash: &str,
        now: Timestamp,
    ) -> Result<UserId, StoreError> {
        let mut tx = self.begin_write().await?;
        let user: i64 = sqlx::query_scalar(
            "UPDATE password_resets SET used_at = $2
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
             RETURNING user_id",
        )
        .bind(&token_hash[..])
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .ctx("using a reset link")?
        .ok_or(StoreError::NotFound)?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user)
            .execute(&mut *tx)
            .await
            .ctx("changing a password")?;
        for statement in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM login_challenges WHERE user_id = $1",
        ] {
            sqlx::query(statement)
                .bind(user)
                .execute(&mut *tx)
                .await
                .ctx("ending sessions")?;
        }
        sqlx::query(
            "UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user)
        .bind(now)
        .execute(&mut *tx)
        .await
        .ctx("spending reset links")?;
        audit_account(&mut tx, UserId(user), "account.password_reset", now).await?;
        tx.commit().await.ctx("changing a password")?;
        Ok(UserId(user))
    }

    async fn change_password(
        &self,
        user: UserId,
        password_hash: &str,
        keep: Hash32,
        now: Timestamp,
    ) -> Result<(), StoreError> {
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
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(user.0)
            .bind(&keep[..])
            .execute(&mut *tx)
            .await
            .ctx("ending other sessions")?;
        sqlx::query("DELETE FROM login_challenges WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .ctx("ending logins waiting for a code")?;
        sqlx::query(
            "UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user.0)
        .bind(now)
        .execute(&mut *tx)
        .await
        .ctx("spending reset links")?;
        audit_account(&mut tx, user, "account.password_change", now).await?;
        tx.commit().await.ctx("changing a password")
    }

    async fn totp(&self, user: UserId) -> Result<Option<TotpRecord>, StoreError> {
        let row = sqlx::query("SELECT secret, enabled_at FROM user_totp WHERE user_id = $1")
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await
            .ctx("reading a second factor")?;
        row.map(|row| {
            Ok(TotpRecord {
                secret: personal::open(&self.keyring, &row, "secret", Field::TotpSecret)?,
                enabled: row
                    .try_get::<Option<i64>, _>("enabled_at")
                    .ctx("reading a second factor")?
                    .is_some(),
            })
        })
        .transpose()
    }

    async fn begin_totp(
        &self,
        user: UserId,
        secret: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let stored = sqlx::query(
            "INSERT INTO user_totp (user_id, secret, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret,
                 created_at = EXCLUDED.created_at, last_step = NULL
             WHERE user_totp.enabled_at IS NULL",
        )
        .bind(user.0)
        .bind(self.keyring.seal(Field::TotpSecret, secret))
        .bind(now)
        .execute(&self.pool)
        .await
        .ctx("storing a second factor")?;
        if stored.rows_affected() == 0 {
            return Err(StoreError::WrongState {
                what: "second factor",
                actual: "on".into(),
            });
        }
        Ok(())
    }

    async fn enable_totp(
        &self,
        user: UserId,
        step: i64,
        recovery_codes: &[Hash32],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let enabled = sqlx::query(
            "UPDATE user_totp SET enabled_at = $2, last_step = $3
             WHERE user_id = $1 AND enabled_at IS NULL",
        )
        .bind(user.0)
        .bind(now)
        .bind(step)
        .execute(&mut *tx)
        .await
        .ctx("turning a second factor on")?;
        if enabled.rows_affected() == 0 {
            return Err(StoreError::WrongState {
                what: "second factor",
                actual: "not being set up".into(),
            });
        }
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .ctx("storing recovery codes")?;
        for code in recovery_codes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user.0)
                .bind(&code[..])
                .execute(&mut *tx)
                .await
                .ctx("storing recovery codes")?;
        }
        audit_account(&mut tx, user, "account.totp_on", now).await?;
        tx.commit().await.ctx("turning a second factor on")
    }

    async fn disable_totp(&self, user: UserId, now: Timestamp) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        for statement in [
            "DELETE FROM user_totp WHERE user_id = $1",
            "DELETE FROM recovery_codes WHERE user_id = $1",
        ] {
            sqlx::query(statement)
                .bind(user.0)
                .execute(&mut *tx)
                .await
                .ctx("turning a second factor off")?;
        }
        audit_account(&mut tx, user, "account.totp_off", now).await?;
        tx.commit().await.ctx("turning a second factor off")
    }

    async fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool, StoreError> {
        let used = sqlx::query(
            "UPDATE user_totp SET last_step = $2
             WHERE user_id = $1 AND enabled_at IS NOT NULL
               AND (last_step IS NULL OR last_step < $2)",
        )
        .bind(user.0)
        .bind(step)
        .execute(&self.pool)
        .await
        .ctx("checking a code")?;
        Ok(used.rows_affected() == 1)
    }

    async fn use_recovery_code(
        &self,
        user: UserId,
        code_hash: Hash32,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let used = sqlx::query(
            "UPDATE recovery_codes SET used_at = $3
             WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
        )
        .bind(user.0)
        .bind(&code_hash[..])
        .bind(now)
        .execute(&self.pool)
        .await
        .ctx("checking a recovery code")?;
        Ok(used.rows_affected() == 1)
    }

    async fn recovery_codes_left(&self, user: UserId) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user.0)
        .fetch_one(&self.pool)
        .await
        .ctx("counting recovery codes")?;
        Ok(n.max(0) as u64)
    }

    async fn create_login_challenge(&self, challenge: NewChallenge) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM login_challenges WHERE expires_at <= $1")
            .bind(challenge.now)
            .execute(&mut *tx)
            .await
            .ctx("forgetting expired logins")?;
        sqlx::query(
            "INSERT INTO login_challenges (token_hash, user_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&challenge.token_hash[..])
        .bind(challenge.user.0)
        .bind(challenge.now)
        .bind(challenge.expires_at)
        .execute(&mut *tx)
        .await
        .ctx("starting a login")?;
        tx.commit().await.ctx("starting a login")
    }

    async fn login_challenge_attempt(
        &self,
        token_hash: Hash32,
        now: Timestamp,
        max_attempts: u32,
    ) -> Result<Option<User>, StoreError> {
        let user: Option<i64> = sqlx::query_scalar(
            "UPDATE login_challenges SET attempts = attempts + 1
             WHERE token_hash = $1 AND expires_at > $2 AND attempts < $3
             RETURNING user_id",
        )
        .bind(&token_hash[..])
        .bind(now)
        .bind(i64::from(max_attempts))
        .fetch_optional(&self.pool)
        .await
        .ctx("checking a login")?;
        let Some(user) = user else {
            return Ok(None);
        };
        let row = sqlx::query("SELECT id, email, name, password_hash FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&self.pool)
            .await
            .ctx("looking up an organiser")?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn end_login_challenge(&self, token_hash: Hash32) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_challenges WHERE token_hash = $1")
            .bind(&token_hash[..])
            .execute(&self.pool)
            .await
            .ctx("finishing a login")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_owner_stays() {
        let (a, b) = (UserId(1), UserId(2));
        let team = vec![(a, Role::Owner, "A".into()), (b, Role::Editor, "B".into())];
        assert!(leaves_no_owner(&team, a, None));
        assert!(leaves_no_owner(&team, a, Some(Role::Editor)));
        assert!(!leaves_no_owner(&team, a, Some(Role::Owner)));
        assert!(!leaves_no_owner(&team, b, None));
        let two = vec![(a, Role::Owner, "A".into()), (b, Role::Owner, "B".into())];
        assert!(!leaves_no_owner(&two, a, None));
    }
}
