//! The records the store takes and hands out.

use std::collections::BTreeMap;

use undersigned_core::{
    DisplayLevel, LetterState, Role, SignatureState, SignerFields,
    dedup::{DomainKey, DuplicateKey, RecipientKey},
    letter::{BatchMinutes, LetterCategory, LetterContent, Moderation, Target},
    organisation::{Organisation, Verification},
    signature::{DisplayRule, NewSignature, PublicSigner, SignerDetails, public_display},
    slug::Slug,
};
pub use undersigned_verify::entry::{LogVersion, Opening};

/// Unix time in seconds.
pub type Timestamp = i64;

/// A SHA-256 or HMAC-SHA-256 value (token hashes, session id hashes).
pub type Hash32 = [u8; 32];

macro_rules! id_type {
    ($($name:ident),*) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}
id_type!(UserId, WorkspaceId, LetterId, CategoryId, SignatureId);

#[derive(Debug, Clone)]
pub struct NewUser {
    /// Lower-cased.
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub password_hash: String,
}

#[derive(Debug, Clone)]
pub struct NewWorkspace {
    pub slug: Slug,
    pub name: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub slug: String,
    pub name: String,
}

/// How many days after a letter closes its signers' personal data is kept: 1 to 3,650.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RetentionDays(u32);

impl RetentionDays {
    pub const MAX: u32 = 3650;

    pub fn new(days: u32) -> Option<Self> {
        (1..=Self::MAX).contains(&days).then_some(Self(days))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// A letter whose signers' personal data was erased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erasure {
    pub letter: LetterId,
    pub workspace: WorkspaceId,
    pub erased_at: Timestamp,
    /// How many signatures lost their personal data.
    pub signatures: u64,
    pub retention_days: u32,
}

#[derive(Debug, Clone)]
pub struct Membership {
    pub workspace: Workspace,
    pub role: Role,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id_hash: Hash32,
    pub user_id: UserId,
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

/// Who is doing an organiser action, for the audit trail.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub user: UserId,
    pub workspace: WorkspaceId,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: CategoryId,
    pub name: String,
    /// Which display levels its signers may choose, and whether their city may be shown.
    pub rule: DisplayRule,
}

/// A letter with its targets and categories.
#[derive(Debug, Clone)]
pub struct Letter {
    pub id: LetterId,
    pub workspace_id: WorkspaceId,
    pub slug: String,
    pub title: String,
    pub subject: String,
    pub body_markdown: String,
    pub targets: Vec<Target>,
    pub categories: Vec<Category>,
    pub signer_fields: SignerFields,
    pub state: LetterState,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub published_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// When signing closes on schedule (None: when an organiser closes it).
    pub closes_at: Option<Timestamp>,
    /// The format of the letter's log: 1 for letters whose log started before format 2,
    /// 2 for the others.
    pub log_version: LogVersion,
    /// A sensitive letter's batches (None: signatures are published when confirmed).
    pub batch: Option<BatchMinutes>,
    /// Whether confirmed signatures are published at once or held for a moderator.
    pub moderation: Moderation,
    /// The category organisations sign under as organisations (None: they cannot).
    pub organisation_category: Option<CategoryId>,
    /// The language of its text (a BCP 47 tag).
    pub lang: String,
    /// Its text in other languages, by language.
    pub translations: Vec<crate::languages::Translation>,
}

impl Letter {
    /// The content as the editor shows it.
    pub fn content(&self) -> Result<LetterContent, crate::StoreError> {
        Ok(LetterContent {
            slug: Slug::parse(&self.slug)
                .map_err(|_| crate::StoreError::Corrupt(format!("letter slug {:?}", self.slug)))?,
            title: self.title.clone(),
            subject: self.subject.clone(),
            body_markdown: self.body_markdown.clone(),
            targets: self.targets.clone(),
            categories: self
                .categories
                .iter()
                .map(|c| LetterCategory {
                    name: c.name.clone(),
                    rule: c.rule,
                })
                .collect(),
            signer_fields: self.signer_fields,
            batch: self.batch,
            moderation: self.moderation,
            organisation_category: self.organisation_category.and_then(|id| {
                self.categories
                    .iter()
                    .find(|c| c.id == id)
                    .map(|c| c.name.clone())
            }),
        })
    }

    pub fn category_ids(&self) -> Vec<i64> {
        self.categories.iter().map(|c| c.id.0).collect()
    }

    /// Each category's id with its display rule, as the signing form is checked against.
    pub fn category_rules(&self) -> Vec<(i64, DisplayRule)> {
        self.categories.iter().map(|c| (c.id.0, c.rule)).collect()
    }

    /// The categories people sign under, with their display rules: all but the one
    /// organisations sign under (they have their own form).
    pub fn people_category_rules(&self) -> Vec<(i64, DisplayRule)> {
        self.people_categories().map(|c| (c.id.0, c.rule)).collect()
    }

    /// The categories people sign under (see [`Self::people_category_rules`]).
    pub fn people_categories(&self) -> impl Iterator<Item = &Category> {
        self.categories
            .iter()
            .filter(move |c| Some(c.id) != self.organisation_category)
    }
}

/// A line in a list of letters.
#[derive(Debug, Clone)]
pub struct LetterSummary {
    pub id: LetterId,
    pub workspace_id: WorkspaceId,
    pub slug: String,
    pub title: String,
    pub state: LetterState,
    pub updated_at: Timestamp,
    pub signatures: u64,
}

/// Published signatures of a letter, and the size of its log they were counted at.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counts {
    pub total: u64,
    pub log_size: u64,
    /// Category name → count, in the letter's category order.
    pub by_category: Vec<(String, u64)>,
    /// Category name → how many of its counted signers chose not to be named, in the letter's
    /// category order; categories with none are left out.
    pub withheld: Vec<(String, u64)>,
    /// How many of the counted signatures are organisations', and how many of those were
    /// verified (by their domain or by an organiser).
    pub organisations: u64,
    pub verified_organisations: u64,
    /// How many of the counted signatures were signed on a version earlier than the last
    /// change of substance and have not been re-confirmed (they stay in `total`).
    pub awaiting: u64,
    /// The current version of the letter's text (1 until its first edit).
    pub text_version: u64,
}

impl Counts {
    pub fn as_map(&self) -> BTreeMap<&str, u64> {
        self.by_category
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect()
    }
}

/// A published signature as the public may see it; apply
/// [`undersigned_core::signature::public_display`] before showing it.
#[derive(Debug, Clone)]
pub struct PublicSignature {
    /// Its add entry in the letter's log.
    pub log_index: Option<u64>,
    pub name: String,
    pub details: SignerDetails,
    pub display: DisplayLevel,
    pub category: String,
    pub published_at: Timestamp,
    /// The opening of its add entry, in a format 2 log: exactly what the page shows.
    pub opening: Option<Opening>,
    /// For an organisation's signature: the organisation as the public sees it.
    pub organisation: Option<PublicOrganisation>,
}

/// An organisation that signed, as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicOrganisation {
    pub name: String,
    pub domain: String,
    /// How it was verified (None: it was not).
    pub verified: Option<Verification>,
    /// The content hash of its logo (hex), served at `/logos/{hex}.png`.
    pub logo: Option<String>,
    /// Whether an organiser pinned it to the head of the grid.
    pub pinned: bool,
}

/// An organisation's signature as its letter's organisers see it: held for an organiser to
/// verify (with the evidence), held for review, or published.
#[derive(Debug, Clone)]
pub struct OrganisationSignature {
    pub signature: SignatureId,
    /// `Held` or `Published`.
    pub state: SignatureState,
    /// How it was verified (None: not yet).
    pub verified: Option<Verification>,
    pub pinned: bool,
    pub organisation: String,
    pub website: String,
    pub website_domain: String,
    /// The domain of the address its signer confirmed.
    pub email_domain: String,
    pub signer_name: String,
    pub signer_title: Option<String>,
    pub signed_at: Timestamp,
    pub confirmed_at: Option<Timestamp>,
    pub logo: Option<String>,
}

impl PublicSignature {
    /// What the public sees of this signer: the opening the log committed to (format 2),
    /// or the display rules applied to the stored signature (format 1). None for private
    /// signers.
    pub fn shown(&self) -> Option<PublicSigner> {
        match (&self.opening, &self.organisation) {
            (Some(opening), _) => Some(opening.shown.clone()),
            (None, Some(organisation)) => {
                Some(undersigned_core::organisation::organisation_display(
                    &organisation.name,
                    &self.name,
                    self.details.title.as_deref(),
                ))
            }
            (None, None) => public_display(&self.name, &self.details, self.display),
        }
    }
}

/// A page of the public list, and the log size it was read at.
/// Which public signatures to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicListing {
    /// Newest first, as the page shows them, skipping `offset`.
    Newest { offset: u64 },
    /// By log index, highest first, those below `before` (all when None): pages that stay
    /// put while the log grows, for `signatories.json`.
    LogIndexBefore(Option<u64>),
    /// People only (no organisation), by log index like `LogIndexBefore`: the letter page's
    /// list under the organisations' grid.
    PeopleBefore(Option<u64>),
    /// Organisations only, the grid's order: pinned first, then verified, then the rest,
    /// each group by log index, oldest first; those after the key (all when None).
    Organisations(Option<GridKey>),
}

/// Where an organisation stands in a letter's grid: its group and its log index. Keys
/// order like the grid, so a page of the grid starts after the last key of the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct GridKey {
    /// 0 pinned, 1 verified, 2 not verified.
    pub group: u8,
    pub log_index: u64,
}

impl GridKey {
    /// The key of a listed organisation (None for a person, or a row not in the log).
    pub fn of(row: &PublicSignature) -> Option<Self> {
        let organisation = row.organisation.as_ref()?;
        let group = if organisation.pinned {
            0
        } else if organisation.verified.is_some() {
            1
        } else {
            2
        };
        Some(Self {
            group,
            log_index: row.log_index?,
        })
    }
}

impl std::fmt::Display for GridKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.group, self.log_index)
    }
}

impl std::str::FromStr for GridKey {
    type Err = ();
    /// Reads `group-index` as [`GridKey`]'s `Display` writes it.
    fn from_str(s: &str) -> Result<Self, ()> {
        let (group, index) = s.split_once('-').ok_or(())?;
        let group = group.parse::<u8>().map_err(|_| ())?;
        if group > 2 {
            return Err(());
        }
        Ok(Self {
            group,
            log_index: index.parse::<u64>().map_err(|_| ())?,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct SignatoryPage {
    pub log_size: u64,
    pub rows: Vec<PublicSignature>,
}

/// The openings of a format 2 log's entries in a range that are public now, and the log size
/// they were read at (one snapshot).
#[derive(Debug, Clone, Default)]
pub struct OpeningsPage {
    pub log_size: u64,
    /// (entry index, opening), by index.
    pub openings: Vec<(u64, Opening)>,
}

/// A letter's log: its size and root hash (the empty log's root when nothing is logged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogHead {
    pub size: u64,
    pub root: Hash32,
}

/// What a signer's receipt is made of.
#[derive(Debug, Clone)]
pub struct ReceiptData {
    pub letter: LetterRef,
    pub signature: SignatureId,
    pub index: u64,
    pub entry: Vec<u8>,
    pub salt: Hash32,
    /// The format of the letter's log.
    pub log_version: LogVersion,
    /// The opening of the entry's commitment, while the signature is public (format 2).
    pub opening: Option<Opening>,
    /// When the link was used to confirm: its manage, receipt and withdraw uses expire a
    /// set time after.
    pub link_used_at: Timestamp,
    /// The signature's category (whose rule says which display levels it may change to).
    pub category: CategoryId,
    /// How the signature is shown now.
    pub display: DisplayLevel,
    /// The signature's state (a receipt outlives a withdrawal).
    pub state: SignatureState,
}

/// A signature as organisers see it.
#[derive(Debug, Clone)]
pub struct SignatureRecord {
    pub id: SignatureId,
    pub log_index: Option<u64>,
    pub name: String,
    pub email: String,
    pub details: SignerDetails,
    pub display: DisplayLevel,
    pub state: SignatureState,
    pub category: String,
    pub created_at: Timestamp,
    pub confirmed_at: Option<Timestamp>,
}

/// The kinds of email the outbox holds. The server renders each from its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailKind {
    /// The link to confirm a signature.
    Confirm,
    /// A confirmed signer's address was used to sign again.
    AlreadySigned,
    /// A new link to manage a published signature, which its signer asked for.
    Manage,
    /// An owner invited someone to their workspace.
    Invitation,
    /// An organiser asked for a link to set a new password.
    PasswordReset,
    /// An update on a letter, to a signer who asked for updates.
    Update,
    /// A letter delivered to one of its targets, with the delivery document attached.
    Delivery,
    /// An invitation to a past signer of a letter's family to sign a new letter of it.
    FamilyInvitation,
    /// A published letter's text changed in substance: the signer is asked to re-confirm.
    Reconfirm,
}

impl EmailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EmailKind::Confirm => "confirm",
            EmailKind::AlreadySigned => "already_signed",
            EmailKind::Manage => "manage",
            EmailKind::Invitation => "invitation",
            EmailKind::PasswordReset => "password_reset",
            EmailKind::Update => "update",
            EmailKind::Delivery => "delivery",
            EmailKind::FamilyInvitation => "family_invitation",
            EmailKind::Reconfirm => "reconfirm",
        }
    }
}

impl std::str::FromStr for EmailKind {
    type Err = undersigned_core::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        undersigned_core::unknown::parse_name(
            &[
                EmailKind::Confirm,
                EmailKind::AlreadySigned,
                EmailKind::Manage,
                EmailKind::Invitation,
                EmailKind::PasswordReset,
                EmailKind::Update,
                EmailKind::Delivery,
                EmailKind::FamilyInvitation,
                EmailKind::Reconfirm,
            ],
            EmailKind::as_str,
            "email kind",
            s,
        )
    }
}

/// An email taken from the outbox to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEmail {
    pub id: i64,
    pub kind: EmailKind,
    pub recipient: String,
    /// The JSON the server wrote when it queued the email.
    pub params: String,
    pub attempts: u32,
    /// A limit held this email back (the reason): the worker records it and sends nothing.
    pub withheld: Option<String>,
}

/// A letter as the hot path names it back to the handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterRef {
    pub id: LetterId,
    pub slug: String,
    pub title: String,
}

/// The signature a confirmation link would publish, exactly as it was submitted with it.
#[derive(Debug, Clone)]
pub struct PendingSubmission {
    pub name: String,
    pub details: SignerDetails,
    pub display: DisplayLevel,
    pub category: String,
    /// The organisation's name, when the signer signs for one.
    pub organisation: Option<String>,
}

impl PendingSubmission {
    /// How the signature will appear once published, as the public will see it (None: not
    /// shown).
    pub fn shown(&self) -> Option<PublicSigner> {
        match &self.organisation {
            Some(organisation) => Some(undersigned_core::organisation::organisation_display(
                organisation,
                &self.name,
                self.details.title.as_deref(),
            )),
            None => public_display(&self.name, &self.details, self.display),
        }
    }
}

impl ConfirmationLink {
    /// Whether its letter still takes confirmations at `now` (see
    /// [`LetterState::takes_confirmations`]).
    pub fn letter_takes_confirmations(&self, now: Timestamp) -> bool {
        self.letter_state
            .takes_confirmations(self.letter_closes_at, self.letter_closed_at, now)
    }
}

/// What a confirmation link points at.
#[derive(Debug, Clone)]
pub struct ConfirmationLink {
    pub letter_slug: String,
    pub letter_title: String,
    pub letter_state: LetterState,
    pub letter_closes_at: Option<Timestamp>,
    pub letter_closed_at: Option<Timestamp>,
    pub signature_state: SignatureState,
    pub expires_at: Timestamp,
    pub used: bool,
    /// When the link was used to confirm.
    pub used_at: Option<Timestamp>,
    pub submission: PendingSubmission,
}

#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub at: Timestamp,
    pub user_name: Option<String>,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

// --- the hot path ---------------------------------------------------------------------------

/// A write that goes through the batching writer.
#[derive(Debug, Clone)]
pub enum WriteCommand {
    Sign(Box<SignCommand>),
    Confirm(ConfirmCommand),
    /// A signature that is published at once (demo data and imports); no email is sent.
    ImportPublished(Box<ImportCommand>),
    /// A published signature leaves the public count (a remove entry goes into the log).
    Remove(RemoveCommand),
    /// The holder of a pending signature's link deletes it: the submission was not theirs,
    /// or they changed their mind before confirming.
    Discard(DiscardCommand),
    /// A sensitive letter's batch: its signatures held since before `before` are published.
    Release(ReleaseCommand),
    /// A published signer changes how they are shown: a remove entry for the old add entry
    /// and a new add entry with the new level, so the counts do not move.
    ChangeDisplay(ChangeDisplayCommand),
    /// Someone asks for a new link for an address on a letter ("Lost your link?").
    RequestLink(Box<RequestLinkCommand>),
    /// A moderator approves, hides, restores or rejects a signature.
    Moderate(Box<crate::ModerateCommand>),
    /// An organiser verifies an organisation's held signature, which publishes it.
    VerifyOrganisation(VerifyOrganisationCommand),
    /// A past signer of a letter's family adds their signature to a new letter of it, from
    /// the invitation's page. Answered as a confirmation ([`WriteOutcome::Confirm`]).
    JoinFamily(crate::JoinFamilyCommand),
    /// The mail worker records what it did with the emails it leased: sent, or withheld by a
    /// limit. Through the writer, so that it rides a batch instead of waiting for the
    /// database's single writer while sign-ups hold it.
    OutboxDone(OutboxDoneCommand),
    /// A mail worker leases due emails (answered with them, opened): through the writer for
    /// the same reason as [`WriteCommand::OutboxDone`].
    OutboxClaim(OutboxClaimCommand),
    /// A fan-out's worker queues its next batch of emails (see
    /// `UpdateStore::fan_out_batch`): through the writer for the same reason as
    /// [`WriteCommand::OutboxDone`].
    FanOut(FanOutCommand),
    /// The holder of a re-confirmation link (a change of substance's email) re-confirms the
    /// signature under the letter's current text: through the writer, as a confirmation
    /// is, so that a wave of them rides its batches instead of waiting for the database's
    /// single writer while sign-ups hold it.
    Reconfirm(ReconfirmCommand),
}

/// See [`WriteCommand::Reconfirm`].
#[derive(Debug, Clone)]
pub struct ReconfirmCommand {
    /// The SHA-256 of the link's token.
    pub token_hash: Hash32,
    pub now: Timestamp,
}

/// Lease up to `limit` due emails to `worker` until `lease_until`.
#[derive(Debug, Clone)]
pub struct OutboxClaimCommand {
    pub worker: String,
    pub now: Timestamp,
    pub lease_until: Timestamp,
    pub limit: u32,
}

/// The next batch of a fan-out that `worker` leased (see [`WriteCommand::FanOut`]).
#[derive(Debug, Clone)]
pub struct FanOutCommand {
    pub fanout: crate::Fanout,
    pub worker: String,
    pub limit: u32,
    pub now: Timestamp,
    pub lease_until: Timestamp,
}

/// Emails a worker has finished with (see [`WriteCommand::OutboxDone`]).
#[derive(Debug, Clone)]
pub struct OutboxDoneCommand {
    /// The worker that holds their leases: an email whose lease another worker has taken
    /// over is not touched.
    pub worker: String,
    /// Sent: marked so, their recipients and parameters forgotten.
    pub sent: Vec<i64>,
    /// Withheld by a limit (the reason is stored already): given up, nothing sent.
    pub withheld: Vec<i64>,
    pub now: Timestamp,
}

#[derive(Debug, Clone)]
pub struct ReleaseCommand {
    pub letter: LetterId,
    /// The batch boundary: signatures confirmed before it are published, with it as their
    /// time.
    pub before: Timestamp,
}

/// "Lost your link?": the store decides what the address gets (a new manage link for a
/// published signature, the link for its first submission again for a pending one on an
/// open letter, nothing otherwise, and nothing when the signature's backoff or the
/// recipient's budget says so) and does the same database work whichever it is.
#[derive(Debug, Clone)]
pub struct RequestLinkCommand {
    pub letter: LetterId,
    /// Whether the letter takes signatures (a pending one is sent its link only then).
    pub letter_open: bool,
    pub email: undersigned_core::EmailAddress,
    /// The key of the signer's address, or, for an organisation's signature, of its
    /// website's domain (then the signature is the asker's only if its signer's address is
    /// `email`).
    pub duplicate_key: DuplicateKey,
    /// Whether `duplicate_key` is an organisation's.
    pub for_organisation: bool,
    pub recipient_key: RecipientKey,
    pub mail_limits: crate::rules::MailLimits,
    /// The new link's token, stored as a manage link or a confirmation link.
    pub token_hash: Hash32,
    pub now: Timestamp,
    /// When a confirmation link made with this token would expire.
    pub token_expires_at: Timestamp,
    /// The JSON of the email for each case, rendered by the server.
    pub confirm_params: String,
    pub manage_params: String,
}

/// What a link request did. Never for the page to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkOutcome {
    ManageLinkSent,
    ConfirmationResent,
    /// The signature's backoff, or the recipient's budget, held the email back.
    Withheld,
    /// No signature that a link could serve (never signed, withdrawn, removed, or pending on
    /// a closed letter).
    NoSignature,
}

/// Someone signs a letter. The store decides which email applies (a confirmation link, an
/// "already signed" notice, or none when the signer was emailed recently or the recipient's
/// budget is spent) and queues it with `email_params`, which the server rendered as JSON and
/// reads back when it sends. Whichever it decides, the command does the same database work.
#[derive(Debug, Clone)]
pub struct SignCommand {
    pub letter: LetterId,
    pub signature: NewSignature,
    pub duplicate_key: DuplicateKey,
    /// The recipient as the per-recipient budget counts it (its mailbox without `+tags`).
    pub recipient_key: RecipientKey,
    /// The recipient's domain, as the per-domain cap counts it.
    pub domain_key: DomainKey,
    /// The limits this command is held to.
    pub mail_limits: crate::rules::MailLimits,
    pub token_hash: Hash32,
    pub now: Timestamp,
    pub token_expires_at: Timestamp,
    pub email_params: String,
    /// For an organisation's signature: the organisation (`signature` is the person who
    /// signs for it, and `duplicate_key` the key of its website domain, so that a letter
    /// takes one signature per organisation).
    pub organisation: Option<Organisation>,
    /// Whether the signer asked for updates about the letter (a repeat signing with it
    /// ticked turns them on; leaving it unticked changes nothing).
    pub updates: bool,
    /// The language the signer signed in (a tag such as `es`), kept with a new signature
    /// so that the emails every signer gets later are in it (None: English).
    pub lang: Option<String>,
    /// Its personal fields sealed ahead of the batch ([`crate::BatchStore::prepare`]); None
    /// until then, and the writer seals them itself.
    pub sealed: Option<crate::sealed::SealedSignUp>,
}

/// An organiser verifies an organisation's held signature: it is published, with an add
/// entry that says it was verified by an organiser.
#[derive(Debug, Clone)]
pub struct VerifyOrganisationCommand {
    pub actor: Actor,
    pub letter: LetterId,
    pub signature: SignatureId,
    pub now: Timestamp,
    /// The salt of the signer's commitment in the log (32 random bytes).
    pub salt: Hash32,
}

#[derive(Debug, Clone)]
pub struct DiscardCommand {
    pub token_hash: Hash32,
}

#[derive(Debug, Clone)]
pub struct ConfirmCommand {
    pub token_hash: Hash32,
    pub now: Timestamp,
    /// The salt of the signer's commitment in the log (32 random bytes).
    pub salt: Hash32,
}

#[derive(Debug, Clone)]
pub struct RemoveCommand {
    /// The organiser who removes it; None when the signer withdraws it themselves.
    pub actor: Option<Actor>,
    pub letter: LetterId,
    pub signature: SignatureId,
    pub reason: undersigned_verify::entry::RemovalReason,
    pub now: Timestamp,
}

/// See [`WriteCommand::ChangeDisplay`]. The caller has checked that the signature's
/// category allows `display`.
#[derive(Debug, Clone)]
pub struct ChangeDisplayCommand {
    pub letter: LetterId,
    pub signature: SignatureId,
    pub display: DisplayLevel,
    pub now: Timestamp,
    /// The salt of the new add entry's commitment (32 random bytes).
    pub salt: Hash32,
}

#[derive(Debug, Clone)]
pub struct ImportCommand {
    pub letter: LetterId,
    pub signature: NewSignature,
    /// For a person, the keyed hash of their address; for an organisation, of its domain.
    pub duplicate_key: DuplicateKey,
    pub now: Timestamp,
    pub salt: Hash32,
    /// For an organisation's signature: the organisation (`signature` is the person who
    /// signed for it). It is published verified: by its domain when the address is on it,
    /// otherwise by the organiser who imports it.
    pub organisation: Option<Organisation>,
}

/// What a command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    Sign(SignOutcome),
    Confirm(ConfirmOutcome),
    Imported {
        letter: LetterId,
        duplicate: bool,
    },
    Removed {
        letter: LetterId,
    },
    Discard(DiscardOutcome),
    /// A sensitive letter's batch was published (`published` signatures).
    Released {
        letter: LetterId,
        published: u64,
    },
    /// The signature is shown at its new level, under a new add entry.
    DisplayChanged {
        letter: LetterId,
    },
    /// The signature is shown at that level already: nothing was written.
    DisplayUnchanged {
        letter: LetterId,
    },
    LinkRequested(LinkOutcome),
    /// A moderator's action was applied (or, for an undo past its window, refused).
    Moderated {
        letter: LetterId,
        outcome: crate::ModerationOutcome,
    },
    /// How many of a worker's finished emails were recorded as sent (the others' leases
    /// had passed to another worker).
    OutboxDone {
        sent: u64,
    },
    /// The emails a worker leased, in id order.
    OutboxClaimed(Vec<OutboxEmail>),
    /// What a fan-out's batch did.
    FannedOut(crate::FanoutProgress),
    /// The signature now carries the letter's current version (and no longer counts as
    /// awaiting); doing it again changes nothing. `None`: no link has this token, or its
    /// signature is no longer published.
    Reconfirmed(Option<LetterId>),
    /// An organisation's held signature was verified and published.
    OrganisationVerified {
        letter: LetterId,
    },
}

impl WriteOutcome {
    /// The letter whose public counts or list this outcome changed, if any.
    pub fn changed_letter(&self) -> Option<LetterId> {
        match self {
            WriteOutcome::Confirm(ConfirmOutcome::Confirmed { letter, .. }) => Some(letter.id),
            WriteOutcome::Imported {
                letter,
                duplicate: false,
            } => Some(*letter),
            WriteOutcome::Removed { letter } => Some(*letter),
            WriteOutcome::Released { letter, published } if *published > 0 => Some(*letter),
            WriteOutcome::DisplayChanged { letter } => Some(*letter),
            WriteOutcome::Moderated { letter, .. } => Some(*letter),
            WriteOutcome::OrganisationVerified { letter } => Some(*letter),
            WriteOutcome::Reconfirmed(letter) => *letter,
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignOutcome {
    /// A new pending signature; the confirmation email is queued.
    Created,
    /// The address had signed but not confirmed: a new link is queued.
    ConfirmationResent,
    /// The address had signed and confirmed: the "already signed" email is queued.
    AlreadySigned,
    /// The address was emailed about this letter moments ago; nothing new is queued.
    EmailThrottled,
    /// The recipient has had all the emails it may get today (across letters and `+tags`):
    /// the signature is kept (new or not) and nothing is queued.
    OverBudget,
    /// Too many sign-ups to addresses at the recipient's domain this hour: nothing was stored;
    /// the signer may try again in `retry_after` seconds.
    DomainBusy { retry_after: i64 },
    /// The letter does not take signatures (not open, or gone).
    LetterNotOpen,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscardOutcome {
    /// The pending signature and its links are deleted.
    Discarded {
        letter: LetterRef,
    },
    /// The signature is confirmed (or withdrawn, or removed): a link cannot discard it.
    NotPending {
        letter: LetterRef,
    },
    UnknownToken,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmOutcome {
    Confirmed {
        letter: LetterRef,
        signature: SignatureId,
        /// The signature's entry in its letter's log: the number on its receipt.
        index: u64,
    },
    /// Confirmed on a sensitive letter: published with its batch at `publish_at`.
    Held {
        letter: LetterRef,
        signature: SignatureId,
        publish_at: Timestamp,
    },
    /// Confirmed on a letter that holds signatures for review: a moderator approves it
    /// (then it is counted) or rejects it.
    HeldForReview {
        letter: LetterRef,
        signature: SignatureId,
    },
    /// An organisation's signature whose signer's address is not on its website's domain:
    /// confirmed, and held until an organiser verifies it.
    HeldForVerification {
        letter: LetterRef,
        signature: SignatureId,
    },
    /// The link was used before (or the signature was confirmed through another link).
    AlreadyUsed {
        letter: LetterRef,
    },
    Expired {
        letter: LetterRef,
    },
    LetterNotOpen {
        letter: LetterRef,
    },
    UnknownToken,
}

#[cfg(test)]
mod tests {
    use super::EmailKind;

    #[test]
    fn email_kinds_read_back_and_an_unknown_one_says_what_it_is() {
        for kind in [
            EmailKind::Confirm,
            EmailKind::AlreadySigned,
            EmailKind::Manage,
        ] {
            assert_eq!(kind.as_str().parse::<EmailKind>(), Ok(kind));
        }
        assert_eq!(
            "newsletter".parse::<EmailKind>().map_err(|e| e.to_string()),
            Err("unknown email kind \"newsletter\"".to_owned())
        );
    }
}

/// A logo to store: PNG bytes re-encoded by the server, and the hash that names them.
#[derive(Debug, Clone, Copy)]
pub struct NewLogo<'a> {
    pub reference: undersigned_core::logo::LogoRef,
    pub png: &'a [u8],
    pub width: u32,
    pub height: u32,
}

/// How a workspace presents itself as the host of its letters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branding {
    pub name: String,
    /// An `http(s)://` address, checked when it was set.
    pub website: Option<String>,
    pub logo: Option<undersigned_core::logo::LogoRef>,
    /// The colour of links, buttons and the focus ring on its letters' pages (None: the
    /// site's own).
    pub colour: Option<undersigned_core::Colour>,
}

/// Published signatures of one UTC day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayCount {
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    pub signatures: u64,
}

/// What to do with a workspace's logo when its branding changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoChange {
    Keep,
    Remove,
    /// A logo stored with [`crate::BrandingStore::put_logo`].
    Set(undersigned_core::logo::LogoRef),
}

// --- asks and responses ---------------------------------------------------------------------

id_type!(AskId, TargetId, ResponseId);

/// A target of a letter, with the id that asks' statuses and responses refer to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AskTarget {
    pub id: TargetId,
    pub name: String,
    pub title: Option<String>,
    pub organisation: Option<String>,
}

/// One of a letter's asks, in its place, with its current status per target (targets
/// without a recorded change are pending).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask {
    pub id: AskId,
    /// 1 for the first ask.
    pub number: u32,
    pub content: undersigned_core::asks::AskContent,
    pub statuses: Vec<(TargetId, undersigned_core::asks::AskStatus)>,
}

impl Ask {
    /// The ask's status with `target`.
    pub fn status(&self, target: TargetId) -> undersigned_core::asks::AskStatus {
        self.statuses
            .iter()
            .find(|(t, _)| *t == target)
            .map(|(_, s)| *s)
            .unwrap_or_default()
    }
}

/// A change of an ask's status with a target, as recorded (changes are kept, never
/// overwritten).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AskStatusChange {
    pub ask: AskId,
    pub target: TargetId,
    pub status: undersigned_core::asks::AskStatus,
    pub on: undersigned_core::asks::EventDate,
    pub note: Option<String>,
    pub recorded_at: Timestamp,
}

/// A status change an organiser records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAskStatus {
    pub ask: AskId,
    pub target: TargetId,
    pub status: undersigned_core::asks::AskStatus,
    pub on: undersigned_core::asks::EventDate,
    pub note: Option<String>,
}

/// A target's response, without its document's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetResponse {
    pub id: ResponseId,
    pub target: TargetId,
    pub received_on: undersigned_core::asks::EventDate,
    pub body_markdown: String,
    /// The attached document's kind and size in bytes, if one is attached.
    pub document: Option<(undersigned_core::asks::DocumentKind, u64)>,
    pub created_at: Timestamp,
}

/// What an organiser writes of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseContent {
    pub target: TargetId,
    pub received_on: undersigned_core::asks::EventDate,
    pub text: undersigned_core::asks::ResponseText,
}

/// A document attached to a response: its kind (told by its bytes) and its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentRef<'a> {
    pub kind: undersigned_core::asks::DocumentKind,
    pub bytes: &'a [u8],
}

/// What an edit does to a response's document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentChange<'a> {
    Keep,
    Remove,
    Set(DocumentRef<'a>),
}

/// A stored document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDocument {
    pub kind: undersigned_core::asks::DocumentKind,
    pub bytes: Vec<u8>,
    /// SHA-256 of the bytes.
    pub sha256: Hash32,
}

/// Which way an ask moves in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AskMove {
    Up,
    Down,
}

/// Everything about a letter's asks: its targets, its asks in order, every status change
/// and every response (newest first, by the date the organiser gave).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LetterAsks {
    pub targets: Vec<AskTarget>,
    pub asks: Vec<Ask>,
    pub changes: Vec<AskStatusChange>,
    pub responses: Vec<TargetResponse>,
}
