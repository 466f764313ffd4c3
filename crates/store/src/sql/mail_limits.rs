//! Limits on the email that signing causes, beyond each signature's own backoff
//! (`rules::may_email_again`):
//!
//! - a **per-recipient budget**: at most `per_recipient_per_day` emails to one mailbox in a
//!   day, across every letter, keyed by the recipient key (the mailbox without `+tags`), so
//!   that no one can be flooded by signing many letters or many `+tag` variants of their
//!   address. Checked and counted per command, on the budget's row, which the command locks.
//! - a **per-domain cap**: at most `signups_per_domain_per_hour` sign-ups to addresses at one
//!   domain in a clock hour, across every letter and server process. Read once per batch
//!   (one statement for all the batch's domains) and added to once per batch and domain,
//!   never `+1` per request. Batches committed side by side (several processes' writers, and
//!   on PostgreSQL each process's `writer_concurrency` tasks) read it at the same time, so
//!   the cap can be passed by at most one batch per other writer: it is a brake on floods,
//!   not an exact count.
//!
//! The budget is silent (the page a signer sees is the same whether an email went out or
//! not: saying so would tell anyone whether an address signed); the domain cap is not (it
//! refuses the sign-up with a 429 before anything is stored, and depends only on how many
//! sign-ups the whole domain had this hour, never on one address).
//!
//! Why the domain cap refuses rather than storing the sign-up and sending its email later:
//! a flood past the cap is almost always someone else's doing, and delaying would still
//! deliver the whole flood (only more slowly), keep the submissions (names and addresses of
//! people who never asked) in the database, and queue real signers' links behind hours of
//! junk; a "check your email" page would also be a promise the site could not keep for
//! hours. Refusing stores nothing, tells a real signer at once, with the wait, so that they
//! can come back, and reveals nothing about any one address. The default cap is set well
//! above what a real campaign gets from one provider in an hour.

use std::collections::{BTreeMap, HashMap};

use sqlx::Row;
use undersigned_core::dedup::DomainKey;

use super::{Conn, Ctx, SqlStore, dialect};
use crate::{
    StoreError,
    model::*,
    rules::{DOMAIN_CAP_SECONDS, RECIPIENT_BUDGET_SECONDS, domain_cap_window},
};

/// Counts `command` against its recipient's budget and answers whether an email may go out.
/// `wants` is whether the command would send one (the signature's own backoff allows it);
/// when it does not, the sign-up is still counted (`asked`). One statement that always
/// writes, whatever the answer, so that the answer cannot be timed. On PostgreSQL the row
/// stays locked until the batch commits, so two processes cannot both spend the last email.
pub(super) async fn spend_budget(
    conn: &mut Conn,
    command: &SignCommand,
    wants: bool,
) -> Result<bool, StoreError> {
    spend_recipient_budget(
        conn,
        &command.recipient_key,
        command.now,
        command.mail_limits,
        wants,
    )
    .await
}

/// [`spend_budget`] for any command that may email `recipient` (a link request, say).
pub(super) async fn spend_recipient_budget(
    conn: &mut Conn,
    recipient: &undersigned_core::dedup::RecipientKey,
    now: Timestamp,
    limits: crate::rules::MailLimits,
    wants: bool,
) -> Result<bool, StoreError> {
    let limit = i64::from(limits.per_recipient_per_day.max(1));
    let sent: i64 = sqlx::query_scalar(
        "INSERT INTO mail_budgets (recipient_key, window_start, sent, asked)
         VALUES ($1, $2, $3, 1)
         ON CONFLICT (recipient_key) DO UPDATE SET
             window_start = CASE WHEN mail_budgets.window_start <= $2 - $5 THEN $2
                                 ELSE mail_budgets.window_start END,
             asked = CASE WHEN mail_budgets.window_start <= $2 - $5 THEN 1
                          ELSE mail_budgets.asked + 1 END,
             sent = CASE WHEN mail_budgets.window_start <= $2 - $5 THEN $3
                         WHEN mail_budgets.sent < $4 THEN mail_budgets.sent + $3
                         WHEN $3 = 1 THEN $4 + 1
                         ELSE mail_budgets.sent END
         RETURNING sent",
    )
    .bind(&recipient.0[..])
    .bind(now)
    .bind(i64::from(wants))
    .bind(limit)
    .bind(RECIPIENT_BUDGET_SECONDS)
    .fetch_one(conn)
    .await
    .ctx("counting a recipient's emails")?;
    // Past the limit the count reads limit + 1: the email was refused.
    Ok(wants && sent <= limit)
}

/// The per-domain cap as one batch sees it: the counts of its domains when it began, and the
/// sign-ups it has let through since.
#[derive(Clone)]
pub(super) struct DomainCaps {
    /// Domain → (hour, sign-ups) as stored when the batch began.
    stored: HashMap<DomainKey, (i64, i64)>,
    /// (domain, hour) → sign-ups this batch let through.
    admitted: BTreeMap<(DomainKey, i64), i64>,
}

impl DomainCaps {
    /// Reads the counts of every domain the batch's sign commands write to, in one statement
    /// (none when the batch signs nothing).
    pub(super) async fn read(
        conn: &mut Conn,
        commands: &[WriteCommand],
    ) -> Result<Self, StoreError> {
        let mut keys: Vec<i64> = commands
            .iter()
            .filter_map(|c| match c {
                WriteCommand::Sign(sign) => Some(sign.domain_key.0),
                _ => None,
            })
            .collect();
        let mut caps = Self {
            stored: HashMap::new(),
            admitted: BTreeMap::new(),
        };
        if keys.is_empty() {
            return Ok(caps);
        }
        keys.sort_unstable();
        keys.dedup();
        let rows = sqlx::query(concat!(
            "SELECT domain_key, hour, signups FROM mail_domain_counts WHERE domain_key ",
            in_list!("$1")
        ))
        .bind(dialect::id_list(&keys))
        .fetch_all(conn)
        .await
        .ctx("reading sign-ups per domain")?;
        for row in rows {
            let key: i64 = row.try_get("domain_key").ctx("reading a domain's count")?;
            let hour: i64 = row.try_get("hour").ctx("reading a domain's count")?;
            let signups: i64 = row.try_get("signups").ctx("reading a domain's count")?;
            caps.stored.insert(DomainKey(key), (hour, signups));
        }
        Ok(caps)
    }

    /// None when `command` is within its domain's cap; otherwise the seconds until the hour
    /// is over, when it may try again.
    pub(super) fn refuse(&self, command: &SignCommand) -> Option<i64> {
        let (hour, left) = domain_cap_window(command.now);
        let stored = match self.stored.get(&command.domain_key) {
            Some(&(stored_hour, signups)) if stored_hour == hour => signups,
            _ => 0,
        };
        let admitted = self
            .admitted
            .get(&(command.domain_key, hour))
            .copied()
            .unwrap_or(0);
        let cap = i64::from(command.mail_limits.signups_per_domain_per_hour.max(1));
        (stored + admitted >= cap).then_some(left)
    }

    /// Counts a sign-up that the batch let through.
    pub(super) fn admit(&mut self, command: &SignCommand) {
        let (hour, _) = domain_cap_window(command.now);
        *self.admitted.entry((command.domain_key, hour)).or_default() += 1;
    }

    /// Adds the batch's sign-ups to the stored counts: one statement per domain, in key
    /// order (so that two processes' batches lock the rows in the same order). A count of an
    /// earlier hour starts again; a batch whose clock is behind another process's adds
    /// nothing to the newer hour.
    pub(super) async fn write(self, conn: &mut Conn) -> Result<(), StoreError> {
        for ((key, hour), signups) in self.admitted {
            sqlx::query(
                "INSERT INTO mail_domain_counts (domain_key, hour, signups) VALUES ($1, $2, $3)
                 ON CONFLICT (domain_key) DO UPDATE SET
                     signups = CASE
                         WHEN mail_domain_counts.hour = excluded.hour
                             THEN mail_domain_counts.signups + excluded.signups
                         WHEN mail_domain_counts.hour < excluded.hour THEN excluded.signups
                         ELSE mail_domain_counts.signups END,
                     hour = CASE WHEN mail_domain_counts.hour < excluded.hour
                                 THEN excluded.hour ELSE mail_domain_counts.hour END",
            )
            .bind(key.0)
            .bind(hour)
            .bind(signups)
            .execute(&mut *conn)
            .await
            .ctx("counting sign-ups per domain")?;
        }
        Ok(())
    }
}

/// Forgets the budgets whose day is over and the domain counts of past hours: they limit
/// nothing any more. Returns how many rows went.
pub(super) async fn prune(store: &SqlStore, now: Timestamp) -> Result<u64, StoreError> {
    let budgets = sqlx::query("DELETE FROM mail_budgets WHERE window_start <= $1")
        .bind(now - RECIPIENT_BUDGET_SECONDS)
        .execute(&store.pool)
        .await
        .ctx("forgetting spent email budgets")?;
    let domains = sqlx::query("DELETE FROM mail_domain_counts WHERE hour < $1")
        .bind(now.div_euclid(DOMAIN_CAP_SECONDS))
        .execute(&store.pool)
        .await
        .ctx("forgetting past sign-up counts")?;
    let decoys = sqlx::query("DELETE FROM signing_decoys WHERE created_at < $1")
        .bind(now - 3600)
        .execute(&store.pool)
        .await
        .ctx("forgetting repeat sign-ups' stand-ins")?;
    Ok(budgets.rows_affected() + domains.rows_affected() + decoys.rows_affected())
}
