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
}
