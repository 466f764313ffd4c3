//! Rules of the hot path that both backends apply identically.

/// A signer is emailed about a letter again only after a wait that grows with every email:
/// 2 minutes after the first, then 10 minutes, 50 minutes, about 4 hours, then a day, and
/// never more than [`MAX_EMAILS_PER_SIGNATURE`] in all. However often the form is posted with
/// someone's address, they cannot be flooded.
pub fn email_backoff_seconds(emails_sent: i64) -> i64 {
    let exponent = u32::try_from(emails_sent.saturating_sub(1).clamp(0, 8)).unwrap_or(8);
    (120_i64.saturating_mul(5_i64.pow(exponent))).min(86_400)
}

/// The most emails one signature (one address on one letter) ever gets.
pub const MAX_EMAILS_PER_SIGNATURE: i64 = 8;

/// Whether a signer who was last emailed at `last_emailed` (and `emails_sent` times in all)
/// may be emailed again at `now`.
pub fn may_email_again(last_emailed: Option<i64>, emails_sent: i64, now: i64) -> bool {
    let too_soon = last_emailed.is_some_and(|at| now - at < email_backoff_seconds(emails_sent));
    !too_soon && emails_sent < MAX_EMAILS_PER_SIGNATURE
}

/// How much email the sign-up form may cause, beyond each signature's own backoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailLimits {
    /// The most emails one recipient (a mailbox, whatever its `+tags`) gets from sign-ups in
    /// a day, across every letter. At least 1.
    pub per_recipient_per_day: u32,
    /// The most sign-ups to addresses at one domain in an hour, across every letter and
    /// server process; more are refused until the hour is over. At least 1.
    pub signups_per_domain_per_hour: u32,
}

impl Default for MailLimits {
    fn default() -> Self {
        Self {
            per_recipient_per_day: 10,
            signups_per_domain_per_hour: 5000,
        }
    }
}

/// The length of a recipient's budget window.
pub const RECIPIENT_BUDGET_SECONDS: i64 = 86_400;

/// The length of the per-domain cap's window.
pub const DOMAIN_CAP_SECONDS: i64 = 3600;

/// The per-domain cap's window that `now` falls in, and how many seconds are left of it.
pub fn domain_cap_window(now: i64) -> (i64, i64) {
    (
        now.div_euclid(DOMAIN_CAP_SECONDS),
        DOMAIN_CAP_SECONDS - now.rem_euclid(DOMAIN_CAP_SECONDS),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_email_backoff_grows_to_a_day() {
        assert_eq!(email_backoff_seconds(1), 120);
        assert_eq!(email_backoff_seconds(2), 600);
        assert_eq!(email_backoff_seconds(3), 3000);
        assert_eq!(email_backoff_seconds(4), 15_000);
        assert_eq!(email_backoff_seconds(5), 75_000);
        assert_eq!(email_backoff_seconds(6), 86_400);
        assert_eq!(email_backoff_seconds(60), 86_400);
    }

    #[test]
    fn emails_stop_after_the_most_allowed() {
        assert!(may_email_again(None, 0, 0));
        assert!(!may_email_again(Some(1000), 1, 1100));
        assert!(may_email_again(Some(1000), 1, 1120));
        assert!(!may_email_again(
            Some(0),
            MAX_EMAILS_PER_SIGNATURE,
            10_000_000
        ));
    }

    #[test]
    fn the_domain_window_is_the_clock_hour() {
        assert_eq!(domain_cap_window(7200), (2, 3600));
        assert_eq!(domain_cap_window(7201), (2, 3599));
        assert_eq!(domain_cap_window(10_799), (2, 1));
        assert_eq!(domain_cap_window(-1), (-1, 1));
    }
}
