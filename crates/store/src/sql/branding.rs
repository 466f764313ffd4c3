//! Logos, and how a workspace presents itself as the host of its letters.

use async_trait::async_trait;
use sqlx::Row;
use undersigned_core::logo::LogoRef;

use super::{Ctx, SqlStore, organisers::audit};
use crate::{BrandingStore, StoreError, model::*};

#[async_trait]
impl BrandingStore for SqlStore {
    async fn put_logo(&self, logo: NewLogo<'_>, now: Timestamp) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO logos (hash, png, width, height, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (hash) DO NOTHING",
        )
        .bind(logo.reference.as_bytes().as_slice())
        .bind(logo.png)
        .bind(i64::from(logo.width))
        .bind(i64::from(logo.height))
        .bind(now)
        .execute(&self.pool)
        .await
        .ctx("storing a logo")?;
        Ok(())
    }

    async fn logo(&self, reference: LogoRef) -> Result<Option<Vec<u8>>, StoreError> {
        sqlx::query_scalar("SELECT png FROM logos WHERE hash = $1")
            .bind(reference.as_bytes().as_slice())
            .fetch_optional(&self.pool)
            .await
            .ctx("reading a logo")
    }

    async fn branding(&self, workspace: WorkspaceId) -> Result<Option<Branding>, StoreError> {
        let row = sqlx::query(
            "SELECT w.name, b.website, b.logo_hash, b.colour
             FROM workspaces w LEFT JOIN workspace_branding b ON b.workspace_id = w.id
             WHERE w.id = $1",
        )
        .bind(workspace.0)
        .fetch_optional(&self.pool)
        .await
        .ctx("reading a workspace's branding")?;
        let Some(row) = row else {
            return Ok(None);
        };
        let logo: Option<Vec<u8>> = row
            .try_get("logo_hash")
            .ctx("reading a workspace's branding")?;
        let colour: Option<String> = row
            .try_get("colour")
            .ctx("reading a workspace's branding")?;
        Ok(Some(Branding {
            colour: colour
                .map(|c| undersigned_core::Colour::parse(&c))
                .transpose()
                .map_err(|_| StoreError::Corrupt("a workspace's colour".into()))?,
            name: row.try_get("name").ctx("reading a workspace's branding")?,
            website: row
                .try_get("website")
                .ctx("reading a workspace's branding")?,
            logo: logo
                .map(|h| LogoRef::from_slice(&h))
                .transpose()
                .map_err(|_| StoreError::Corrupt("a workspace's logo hash".into()))?,
        }))
    }

    async fn set_branding(
        &self,
        actor: Actor,
        branding: &Branding,
        logo: LogoChange,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE workspaces SET name = $1 WHERE id = $2")
            .bind(&branding.name)
            .bind(actor.workspace.0)
            .execute(&mut *tx)
            .await
            .ctx("renaming a workspace")?;
        sqlx::query(
            "INSERT INTO workspace_branding (workspace_id, website, colour) VALUES ($1, $2, $3)
             ON CONFLICT (workspace_id) DO UPDATE
             SET website = EXCLUDED.website, colour = EXCLUDED.colour",
        )
        .bind(actor.workspace.0)
        .bind(branding.website.as_deref())
        .bind(branding.colour.map(|c| c.to_string()))
        .execute(&mut *tx)
        .await
        .ctx("setting a workspace's website")?;
        let logo_detail = match logo {
            LogoChange::Keep => "",
            LogoChange::Remove => "; logo removed",
            LogoChange::Set(_) => "; new logo",
        };
        if logo != LogoChange::Keep {
            let hash = match logo {
                LogoChange::Set(reference) => Some(reference.as_bytes().to_vec()),
                _ => None,
            };
            sqlx::query("UPDATE workspace_branding SET logo_hash = $1 WHERE workspace_id = $2")
                .bind(hash)
                .bind(actor.workspace.0)
                .execute(&mut *tx)
                .await
                .ctx("setting a workspace's logo")?;
        }
        let detail = format!(
            "name {:?}, website {}, colour {}{logo_detail}",
            branding.name,
            branding.website.as_deref().unwrap_or("none"),
            branding
                .colour
                .map_or_else(|| "none".to_owned(), |c| c.to_string()),
        );
        audit(
            &mut tx,
            Some(actor),
            None,
            "workspace.branding",
            "host page",
            &detail,
            now,
        )
        .await?;
        tx.commit().await.ctx("changing a workspace's branding")
    }
}
