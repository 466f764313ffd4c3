//! Each letter's public log, checked the way an outside auditor would: with the published
//! key, the tiles, the entry bundles and the proofs, and against the published counts.

use std::time::Duration;

use base64::{Engine, engine::general_purpose::STANDARD};
use sha2::{Digest, Sha256};
use undersigned_core::{DisplayLevel, EmailAddress};
use undersigned_tlog::{
    Checkpoint, Hash, NoteVerifier, decode_entry_bundle, entry_bundle_path, leaf_hash,
    root_from_leaf_hashes, tile_hashes, verify_consistency, verify_inclusion,
};
use undersigned_verify::{
    entry::{AddEntry, EntryText, LogEntry, LogVersion, RemovalReason, RemoveEntry, commitment},
    json::{OpeningsJson, SignatoriesJson},
};

use crate::helpers::*;

/// What an auditor reads: the verified checkpoint and every entry.
pub(crate) struct Log {
    pub checkpoint: Checkpoint,
    pub entries: Vec<Vec<u8>>,
}

impl Log {
    pub fn decoded(&self) -> Vec<LogEntry> {
        self.entries
            .iter()
            .map(|e| LogEntry::decode(e).unwrap())
            .collect()
    }
}

async fn bytes(app: &TestApp, path: &str) -> (u16, Vec<u8>, reqwest::header::HeaderMap) {
    let response = app.client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, response.bytes().await.unwrap().to_vec(), headers)
}

/// The openings of entry bundle `bundle`, as an auditor reads them (status, body).
pub(crate) async fn openings(
    app: &TestApp,
    slug: &str,
    bundle: &str,
) -> (u16, Option<OpeningsJson>) {
    let (status, body, headers) = bytes(app, &format!("/l/{slug}/log/openings/{bundle}")).await;
    if status == 200 {
        assert_eq!(headers["cache-control"], "public, max-age=10");
    }
    (status, serde_json::from_slice(&body).ok())
}

pub(crate) async fn signatories(app: &TestApp, slug: &str) -> SignatoriesJson {
    app.client
        .get(app.url(&format!("/l/{slug}/signatories.json")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The first "Hide" link of a signatures page (the newest hideable signature): the
/// confirmation page, whose form posts to the same address.
pub(crate) fn first_hide_link(body: &str) -> String {
    body.match_indices("/hide\"")
        .map(|(i, _)| {
            let start = body[..i].rfind("href=\"").unwrap() + 6;
            body[start..i + 5].to_owned()
        })
        .next()
        .expect("a Hide link")
}

/// As a moderator, hides the signer named `name` from the letter `id`: the Hide link of
/// their row in the signature queue, then its confirmation.
pub(crate) async fn hide_signer(app: &TestApp, id: i64, name: &str) {
    let queue = app.get(&format!("/admin/letters/{id}/signatures")).await;
    let row = queue.body.find(name).expect("the signer in the queue");
    let hide = first_hide_link(&queue.body[row..]);
    let ask = app.get(&hide).await;
    assert!(ask.body.contains(name), "{}", ask.body);
    let hidden = app.post(&hide, &[("csrf", &ask.csrf())]).await;
    assert_eq!(hidden.status, 303, "{}", hidden.body);
}

/// As a moderator, undoes the first hide the letter `id`'s signature queue offers to undo.
pub(crate) async fn undo_first_hide(app: &TestApp, id: i64) {
    let queue = app.get(&format!("/admin/letters/{id}/signatures")).await;
    let undo = queue
        .body
        .match_indices("/undo\"")
        .map(|(i, _)| {
            let start = queue.body[..i].rfind("/admin/letters/").expect("a link");
            queue.body[start..i + 5].to_owned()
        })
        .next()
        .expect("an Undo button");
    let restored = app.post(&undo, &[("csrf", &queue.csrf())]).await;
    assert_eq!(restored.status, 303, "{}", restored.body);
}

/// The add entry at `index` of `log`.
pub(crate) fn add_at(log: &Log, index: usize) -> AddEntry {
    match &log.decoded()[index] {
        LogEntry::Add(add) => add.clone(),
        other => panic!("entry {index} is not an add entry: {other:?}"),
    }
}

/// The counts an auditor computes from the entries alone: the add entries that no remove
/// entry names, per category.
fn counts_from_entries(log: &Log) -> std::collections::BTreeMap<String, u64> {
    let entries = log.decoded();
    let removed: std::collections::BTreeSet<u64> = entries
        .iter()
        .filter_map(|e| match e {
            LogEntry::Remove(r) => Some(r.removes),
            LogEntry::Add(_) | LogEntry::Text(_) => None,
        })
        .collect();
    let mut counts = std::collections::BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        if let LogEntry::Add(a) = e
            && !removed.contains(&(i as u64))
        {
            *counts.entry(a.category.clone()).or_default() += 1;
        }
    }
    counts
}

/// Every piece of text the application's database holds about signers, in one string:
/// signatures, the submissions their links carried, the log's openings and entries, the
/// outbox and the audit trail.
async fn database_text(app: &TestApp) -> String {
    use sqlx::Row;
    use undersigned_store::sealed::Field;
    let keyring = app.keyring();
    let db = app.db().await;
    let mut text = String::new();
    for statement in [
        "SELECT name, COALESCE(title, ''), COALESCE(affiliation, ''), COALESCE(city, ''),
                COALESCE(country, ''), COALESCE(comment, ''), email FROM signatures",
        "SELECT name, COALESCE(title, ''), COALESCE(affiliation, ''), COALESCE(city, ''),
                COALESCE(country, ''), COALESCE(comment, ''), '' FROM confirmation_tokens",
        "SELECT name, COALESCE(details, ''), COALESCE(comment, ''), '', '', '', ''
         FROM log_openings",
        "SELECT COALESCE(recipient, ''), COALESCE(params, ''), kind, '', '', '', '' FROM outbox",
        "SELECT action, subject, detail, '', '', '', '' FROM audit_events",
    ] {
        for row in sqlx::query(statement).fetch_all(&db).await.unwrap() {
            for column in 0..7 {
                // Personal fields are sealed: open them, whichever field they are.
                let value = match row.try_get::<String, _>(column) {
                    Ok(text) => text,
                    Err(_) => {
                        let bytes = row.get::<Vec<u8>, _>(column);
                        [
                            Field::Email,
                            Field::Name,
                            Field::Title,
                            Field::Affiliation,
                            Field::City,
                            Field::Country,
                            Field::Comment,
                            Field::Recipient,
                            Field::EmailParams,
                        ]
                        .into_iter()
                        .find_map(|field| keyring.open(field, &bytes).ok())
                        .unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned())
                    }
                };
                text.push_str(&value);
                text.push('\n');
            }
        }
    }
    for row in sqlx::query("SELECT data FROM log_entries")
        .fetch_all(&db)
        .await
        .unwrap()
    {
        text.push_str(&String::from_utf8_lossy(&row.get::<Vec<u8>, _>(0)));
        text.push('\n');
    }
    db.close().await;
    text
}

async fn verifier(app: &TestApp) -> NoteVerifier {
    let (status, key, _) = bytes(app, "/.well-known/undersigned/checkpoint-key").await;
    assert_eq!(status, 200);
    NoteVerifier::from_verifier_key(String::from_utf8(key).unwrap().trim()).unwrap()
}

fn origin(app: &TestApp, slug: &str) -> String {
    format!("{}/l/{slug}", app.address.trim_start_matches("http://"))
}

/// Reads a letter's log as an auditor does, checking the signature, the origin, and that
/// the entries hash to the checkpoint's root.
pub(crate) async fn read_log(app: &TestApp, slug: &str) -> Log {
    let (status, note, headers) = bytes(app, &format!("/l/{slug}/log/checkpoint")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["cache-control"], "no-cache");
    let note = String::from_utf8(note).unwrap();
    let (checkpoint, _) =
        Checkpoint::open(&note, &origin(app, slug), &[verifier(app).await]).unwrap();
    let mut entries = Vec::new();
    let size = checkpoint.size;
    let mut start = 0u64;
    while start < size {
        let width = (size - start).min(256) as u16;
        let (status, bundle, _) = bytes(
            app,
            &format!("/l/{slug}/log/{}", entry_bundle_path(start / 256, width)),
        )
        .await;
        assert_eq!(status, 200);
        entries.extend(
            decode_entry_bundle(&bundle)
                .unwrap()
                .into_iter()
                .map(<[u8]>::to_vec),
        );
        start += u64::from(width);
    }
    let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e)).collect();
    assert_eq!(
        root_from_leaf_hashes(&leaves),
        checkpoint.root_hash,
        "the entries hash to the root"
    );
    Log {
        checkpoint,
        entries,
    }
}

#[tokio::test]
async fn confirmed_signatures_are_in_a_signed_log_that_recomputes_the_counts() {
    let app = spawn_app().await;
    app.open_letter("logged").await;

    // Nothing yet: an empty, signed log.
    let empty = read_log(&app, "logged").await;
    assert_eq!(empty.checkpoint.size, 0);

    app.sign_and_confirm("logged", "Pia Public", "pia@example.org", "public")
        .await;
    app.sign_and_confirm("logged", "Ivo Initials", "ivo@example.org", "initials")
        .await;
    app.sign_and_confirm("logged", "Pru Private", "pru@example.org", "private")
        .await;
    // A pending signature is not in the log.
    app.sign_pending("logged", "Pending Pat", "pat@example.org")
        .await;

    let log = read_log(&app, "logged").await;
    assert_eq!(log.checkpoint.size, 3);
    // A new letter's log is format 2: the entries hold the category and the display level
    // in clear, and only commitments to the text and the address.
    let (public, initials, private) = (add_at(&log, 0), add_at(&log, 1), add_at(&log, 2));
    for add in [&public, &initials, &private] {
        assert_eq!(add.version(), LogVersion::V2);
        assert_eq!(add.category, "Organisation");
    }
    assert_eq!(
        [public.display, initials.display, private.display],
        [
            DisplayLevel::Public,
            DisplayLevel::Initials,
            DisplayLevel::Private
        ]
    );
    assert!(matches!(public.text, EntryText::Committed(Some(_))));
    assert!(matches!(initials.text, EntryText::Committed(Some(_))));
    assert_eq!(private.text, EntryText::Committed(None));
    // Nothing in the log names anybody, or gives anybody's address.
    let raw = String::from_utf8(log.entries.concat()).unwrap();
    for secret in [
        "Pru", "pru@", "pia@", "Pia", "Public", "I. I.", "Ivo", "Pending",
    ] {
        assert!(!raw.contains(secret), "{secret} is in the log");
    }

    // The openings of the shown signers are served beside the log, and open their entries;
    // the private signer has none.
    let (status, served) = openings(&app, "logged", "0").await;
    assert_eq!(status, 200);
    let served = served.unwrap();
    assert_eq!(served.log_size, 3);
    let indexes: Vec<u64> = served.openings.iter().map(|o| o.index).collect();
    assert_eq!(indexes, [0, 1]);
    let opened: Vec<_> = served
        .openings
        .iter()
        .map(|o| o.opening.opening().unwrap())
        .collect();
    assert!(opened[0].opens(&public));
    assert!(opened[1].opens(&initials));
    assert_eq!(opened[0].shown.shown_name, "Pia Public");
    assert_eq!(opened[1].shown.shown_name, "I. I.");
    // Another name, or the salt of the other entry, does not open it.
    let mut forged = opened[0].clone();
    forged.shown.shown_name = "Pia Publik".into();
    assert!(!forged.opens(&public));
    forged = opened[1].clone();
    forged.shown = opened[0].shown.clone();
    assert!(!forged.opens(&public));
    // No bundle beyond the log, and one address per bundle.
    for missing in ["1", "01", "x", "-1", "18446744073709551616"] {
        assert_eq!(openings(&app, "logged", missing).await.0, 404, "{missing}");
    }

    // The published counts are the log's, at the size they name, and anyone recomputes
    // them from the entries alone.
    let counts = app.counts("logged").await;
    assert_eq!(counts["log_size"], 3);
    assert_eq!(counts["total"], 3);
    assert_eq!(counts["by_category"]["Organisation"], 3);
    assert_eq!(
        counts_from_entries(&log),
        [("Organisation".to_owned(), 3)].into()
    );
    let page = app.get("/l/logged").await;
    assert!(page.body.contains("data-log-size=\"3\""));
    assert!(page.body.contains(&verifier(&app).await.verifier_key()));

    // The public list as data, with each signatory's entry and the salt that, with what it
    // shows, opens the entry; private signers are not in it.
    let list = signatories(&app, "logged").await;
    assert_eq!(list.log_size, 3);
    let listed = &list.signatories;
    assert_eq!(listed.len(), 2);
    assert_eq!(
        (listed[0].index, listed[0].name.as_str()),
        (Some(1), "I. I.")
    );
    assert_eq!(
        (listed[1].index, listed[1].name.as_str()),
        (Some(0), "Pia Public")
    );
    assert!(listed[0].opening().unwrap().unwrap().opens(&initials));
    assert!(listed[1].opening().unwrap().unwrap().opens(&public));
    assert!(list.next.is_none());
    // The page lists them with their entries' indexes.
    assert!(
        page.body.contains("<li data-log-index=\"0\">"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<li data-log-index=\"1\">"));
    app.stop().await;
}

/// signatories.json pages by log index: the pages after the first stay put while the log
/// grows, so an auditor can read a busy letter's list.
#[tokio::test]
async fn signatories_json_pages_by_log_index_and_stays_put_as_the_log_grows() {
    let app = spawn_app_with_signatures("paged", 120).await;
    let json = |path: String| {
        let app = &app;
        async move {
            let response = app.client.get(app.url(&path)).send().await.unwrap();
            (
                response.status().as_u16(),
                response
                    .json::<serde_json::Value>()
                    .await
                    .unwrap_or_default(),
            )
        }
    };
    let indexes = |page: &serde_json::Value| -> Vec<u64> {
        page["signatories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["index"].as_u64().unwrap())
            .collect()
    };
    let (status, first) = json("/l/paged/signatories.json".into()).await;
    assert_eq!(status, 200);
    assert_eq!(first["log_size"], 120);
    assert_eq!(indexes(&first), (70..120).rev().collect::<Vec<_>>());
    assert_eq!(first["next"], 70);

    // A new signature lands on the first page only.
    app.sign_and_confirm("paged", "Late Lorimer", "late@example.org", "public")
        .await;
    let (_, second) = json("/l/paged/signatories.json?before=70".into()).await;
    assert_eq!(second["log_size"], 121);
    assert_eq!(indexes(&second), (20..70).rev().collect::<Vec<_>>());
    assert_eq!(second["next"], 20);
    let (_, last) = json("/l/paged/signatories.json?before=20".into()).await;
    assert_eq!(indexes(&last), (0..20).rev().collect::<Vec<_>>());
    assert!(last["next"].is_null());

    // Edges and junk.
    let (_, none) = json("/l/paged/signatories.json?before=0".into()).await;
    assert!(indexes(&none).is_empty() && none["next"].is_null());
    let (_, all) = json(format!("/l/paged/signatories.json?before={}", u64::MAX)).await;
    assert_eq!(indexes(&all)[0], 120);
    // Larger pages, for auditors: the same order and the same `next`.
    let (status, big) = json("/l/paged/signatories.json?limit=100".into()).await;
    assert_eq!(status, 200);
    assert_eq!(indexes(&big), (21..121).rev().collect::<Vec<_>>());
    assert_eq!(big["next"], 21);
    let (_, rest) = json("/l/paged/signatories.json?before=21&limit=1000".into()).await;
    assert_eq!(indexes(&rest), (0..21).rev().collect::<Vec<_>>());
    assert!(rest["next"].is_null());
    let (_, one) = json("/l/paged/signatories.json?limit=1".into()).await;
    assert_eq!(indexes(&one), vec![120]);
    assert_eq!(one["next"], 120);
    for bad in [
        "before=x",
        "before=-1",
        "before=1e3",
        "limit=0",
        "limit=1001",
        "limit=-5",
        "limit=many",
        "limit=99999999999",
    ] {
        let (status, _) = json(format!("/l/paged/signatories.json?{bad}")).await;
        assert_eq!(status, 400, "{bad}");
    }
    assert_eq!(json("/l/nowhere/signatories.json".into()).await.0, 404);
    app.stop().await;
}

#[tokio::test]
async fn proofs_verify_and_a_receipt_proves_a_private_signature() {
    let app = spawn_app().await;
    app.open_letter("proofs").await;
    for i in 0..5 {
        app.sign_and_confirm(
            "proofs",
            &format!("Signer Number{i}"),
            &format!("s{i}@example.org"),
            "public",
        )
        .await;
    }
    let before = read_log(&app, "proofs").await;

    // The private signer confirms, then downloads their receipt through the emailed link.
    app.sign_and_confirm(
        "proofs",
        "Quiet Quill",
        "Quiet.Quill@example.org",
        "private",
    )
    .await;
    let email = app.mail.to("quiet.quill@example.org").pop().unwrap();
    let confirm = app.confirm_path(&email);
    let (status, receipt, headers) = bytes(&app, &format!("{confirm}/receipt")).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".tlog-proof")
    );
    let receipt = String::from_utf8(receipt).unwrap();
    let mut lines = receipt.lines();
    assert_eq!(lines.next(), Some("c2sp.org/tlog-proof@v1"));
    let extra = lines.next().unwrap().strip_prefix("extra ").unwrap();
    let extra: serde_json::Value =
        serde_json::from_slice(&STANDARD.decode(extra).unwrap()).unwrap();
    let index: u64 = lines
        .next()
        .unwrap()
        .strip_prefix("index ")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(index, 5);
    let proof: Vec<Hash> = lines
        .by_ref()
        .take_while(|l| !l.is_empty())
        .map(|l| Hash::from_base64(l).unwrap())
        .collect();
    let note: String = lines.map(|l| format!("{l}\n")).collect();
    let key = NoteVerifier::from_verifier_key(extra["key"].as_str().unwrap()).unwrap();
    assert_eq!(
        key,
        verifier(&app).await,
        "the receipt names the site's key"
    );
    let (checkpoint, _) = Checkpoint::open(&note, &origin(&app, "proofs"), &[key]).unwrap();
    let entry = STANDARD.decode(extra["entry"].as_str().unwrap()).unwrap();
    verify_inclusion(
        &leaf_hash(&entry),
        index,
        checkpoint.size,
        &proof,
        &checkpoint.root_hash,
    )
    .unwrap();
    // The commitment is the signer's address under the receipt's salt.
    let LogEntry::Add(add) = LogEntry::decode(&entry).unwrap() else {
        panic!("an add entry")
    };
    assert_eq!(add.text, EntryText::Committed(None));
    assert_eq!(extra["v"], 2);
    assert!(
        extra.get("opening").is_none(),
        "a private signer has no opening"
    );
    let salt: [u8; 32] = STANDARD
        .decode(extra["salt"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let address = EmailAddress::parse("quiet.quill@example.org").unwrap();
    assert_eq!(add.commitment, commitment(&salt, &address));
    let other = EmailAddress::parse("someone@example.org").unwrap();
    assert_ne!(add.commitment, commitment(&salt, &other));
    // The commitment is SHA-256(tag ‖ salt ‖ normalised address), as documented.
    let mut by_hand = Sha256::new();
    by_hand.update(b"undersigned/v1/signer-commitment\n");
    by_hand.update(salt);
    by_hand.update(b"quiet.quill@example.org");
    assert_eq!(add.commitment, <[u8; 32]>::from(by_hand.finalize()));

    // Inclusion and consistency proofs from the JSON endpoints.
    let after = read_log(&app, "proofs").await;
    let inclusion: serde_json::Value = app
        .client
        .get(app.url("/l/proofs/log/proof/inclusion?index=2"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(inclusion["size"], 6);
    let path: Vec<Hash> = inclusion["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| Hash::from_base64(h.as_str().unwrap()).unwrap())
        .collect();
    verify_inclusion(
        &leaf_hash(&after.entries[2]),
        2,
        6,
        &path,
        &after.checkpoint.root_hash,
    )
    .unwrap();
    let consistency: serde_json::Value = app
        .client
        .get(app.url("/l/proofs/log/proof/consistency?from=5&to=6"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path: Vec<Hash> = consistency["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| Hash::from_base64(h.as_str().unwrap()).unwrap())
        .collect();
    verify_consistency(
        5,
        6,
        &path,
        &before.checkpoint.root_hash,
        &after.checkpoint.root_hash,
    )
    .unwrap();

    // Bad questions get clear answers.
    for bad in [
        "/l/proofs/log/proof/inclusion?index=6",
        "/l/proofs/log/proof/inclusion?index=0&size=99",
        "/l/proofs/log/proof/inclusion?index=x",
        "/l/proofs/log/proof/consistency?from=0&to=6",
        "/l/proofs/log/proof/consistency?from=6&to=5",
    ] {
        let (status, _, _) = bytes(&app, bad).await;
        assert_eq!(status, 400, "{bad}");
    }
    for missing in [
        "/l/proofs/log/tile/0/001",
        "/l/proofs/log/tile/entries/000.p/7",
        // The last tile index there is: its end would overflow a u64.
        "/l/proofs/log/tile/entries/x072/x057/x594/x037/x927/935",
        "/l/proofs/log/tile/0/x072/x057/x594/x037/x927/935",
        "/l/proofs/log/tile/entries/x999/x999/x999/x999/x999/x999/999",
        "/l/proofs/log/tile/nonsense",
        "/l/unknown-letter/log/checkpoint",
    ] {
        let (status, _, _) = bytes(&app, missing).await;
        assert_eq!(status, 404, "{missing}");
    }
    // No receipt for a link that was never confirmed, or that does not exist.
    app.sign_pending("proofs", "Pending Pat", "pat@example.org")
        .await;
    let pending = app.confirm_path(&app.mail.to("pat@example.org").pop().unwrap());
    assert_eq!(bytes(&app, &format!("{pending}/receipt")).await.0, 404);
    assert_eq!(
        bytes(&app, &format!("/confirm/{}/receipt", "A".repeat(43)))
            .await
            .0,
        404
    );
    app.stop().await;
}

#[tokio::test]
async fn hiding_a_signature_appends_a_removal_and_the_counts_follow_the_log() {
    let app = spawn_app().await;
    let id = app.open_letter("hidden").await;
    app.sign_and_confirm("hidden", "Keep Kendal", "keep@example.org", "public")
        .await;
    app.sign_and_confirm("hidden", "Gone Garner", "gone@example.org", "public")
        .await;
    let list = app.get(&format!("/admin/letters/{id}/signatures")).await;
    assert!(list.body.contains("Hide"));
    let action = first_hide_link(&list.body);
    // The newest (Gone Garner) is listed first.
    let csrf = list.csrf();
    let hidden = app.post(&action, &[("csrf", &csrf)]).await;
    assert_eq!(hidden.status, 303, "{}", hidden.body);
    let again = app.post(&action, &[("csrf", &csrf)]).await;
    assert_eq!(
        again.status, 409,
        "a removed signature cannot be removed twice"
    );
    assert_eq!(
        message_text(&again.body).as_deref(),
        Some(
            "The signature is hidden, which does not allow this. Only a published signature \
             can be hidden."
        )
    );

    let log = read_log(&app, "hidden").await;
    assert_eq!(log.checkpoint.size, 3);
    assert_eq!(
        log.decoded()[2],
        LogEntry::Remove(RemoveEntry {
            version: LogVersion::V2,
            time: match &log.decoded()[2] {
                LogEntry::Remove(r) => r.time,
                _ => panic!("a remove entry"),
            },
            removes: 1,
            reason: RemovalReason::Hidden,
        })
    );
    let counts = app.counts("hidden").await;
    assert_eq!(counts["total"], 1);
    assert_eq!(counts["log_size"], 3);
    let page = app.get("/l/hidden").await;
    assert!(page.body.contains("Keep Kendal"));
    assert!(!page.body.contains("Gone Garner"));
    // Viewers may not hide.
    let viewer = app
        .add_organiser(
            "viewer@example.org",
            "Vera Viewer",
            "test-coalition",
            undersigned_core::Role::Viewer,
        )
        .await;
    let csrf = app.organiser_csrf(&viewer).await;
    let keep = action.replace(
        action.rsplit('/').nth(1).unwrap(),
        &(action.rsplit('/').nth(1).unwrap().parse::<i64>().unwrap() - 1).to_string(),
    );
    assert_eq!(
        app.post_with(&viewer, &keep, &[("csrf", &csrf)])
            .await
            .status,
        403
    );
    assert_eq!(app.counts("hidden").await["total"], 1);
    app.stop().await;
}

#[tokio::test]
async fn a_signer_withdraws_with_their_link_and_the_log_records_it() {
    let app = spawn_app().await;
    app.open_letter("changed-mind").await;
    app.sign_and_confirm(
        "changed-mind",
        "Stay Stannard",
        "stay@example.org",
        "public",
    )
    .await;
    let link = app
        .sign_and_confirm(
            "changed-mind",
            "Leave Lanyon",
            "leave@example.org",
            "public",
        )
        .await;

    // The used link now offers the receipt and withdrawal; asking changes nothing.
    let again = app.get(&link).await;
    assert_eq!(again.status, 200);
    assert!(
        again.body.contains("Manage your signature"),
        "{}",
        again.body
    );
    assert!(again.body.contains(&format!("{link}/withdraw")));
    let ask = app.get(&format!("{link}/withdraw")).await;
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains("Withdraw your signature?"));
    assert!(ask.body.contains("entry 1 of the letter"), "{}", ask.body);
    assert!(
        ask.body.contains(
            "stays in the log without your name: it holds only salted fingerprints of what \
             the page showed and of your email address. Withdrawing deletes your name"
        ),
        "a public signer is told their name leaves the site: {}",
        ask.body
    );
    assert_eq!(app.counts("changed-mind").await["total"], 2);

    let done = app
        .post_with(&client(), &format!("{link}/withdraw"), &[])
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Your signature is withdrawn"));
    let counts = app.counts("changed-mind").await;
    assert_eq!(
        (counts["total"].as_i64(), counts["log_size"].as_i64()),
        (Some(1), Some(3))
    );
    let page = app.get("/l/changed-mind").await;
    assert!(page.body.contains("Stay Stannard"));
    assert!(!page.body.contains("Leave Lanyon"));
    let log = read_log(&app, "changed-mind").await;
    match &log.decoded()[2] {
        LogEntry::Remove(r) => {
            assert_eq!((r.removes, r.reason), (1, RemovalReason::Withdrawn));
        }
        other => panic!("a remove entry, not {other:?}"),
    }

    // Once only: asking or posting again says there is nothing to withdraw.
    let twice = app
        .post_with(&client(), &format!("{link}/withdraw"), &[])
        .await;
    assert_eq!(twice.status, 409);
    assert!(twice.body.contains("not on the letter"));
    assert_eq!(app.get(&format!("{link}/withdraw")).await.status, 409);
    assert_eq!(app.counts("changed-mind").await["log_size"], 3);

    // Signing again after withdrawing gets a confirmation link (not "already signed"), and
    // confirming appends a new add entry; the old one and its removal stay.
    app.forget_email_throttle().await;
    app.sign_and_confirm(
        "changed-mind",
        "Leave Lanyon",
        "leave@example.org",
        "public",
    )
    .await;
    let counts = app.counts("changed-mind").await;
    assert_eq!(
        (counts["total"].as_i64(), counts["log_size"].as_i64()),
        (Some(2), Some(4))
    );
    let again = add_at(&read_log(&app, "changed-mind").await, 3);
    let (_, served) = openings(&app, "changed-mind", "0").await;
    let served = served.unwrap();
    let indexes: Vec<u64> = served.openings.iter().map(|o| o.index).collect();
    assert_eq!(indexes, [0, 3], "the withdrawn entry 1 has no opening");
    let opening = served.openings[1].opening.opening().unwrap();
    assert!(opening.opens(&again));
    assert_eq!(opening.shown.shown_name, "Leave Lanyon");
    assert!(
        app.get("/l/changed-mind")
            .await
            .body
            .contains("Leave Lanyon")
    );

    // A link that never confirmed, and links that do not exist.
    let categories = app.categories("changed-mind").await;
    let signed = app
        .sign(
            "changed-mind",
            &[
                ("name", "Pending Pell"),
                ("email", "pending@example.org"),
                ("category", &categories[0]),
                ("display", "public"),
            ],
        )
        .await;
    assert_eq!(signed.status, 303);
    let pending = app
        .mail
        .wait_for_to("pending@example.org", 1)
        .await
        .link("/confirm/")
        .unwrap();
    let pending = pending.trim_start_matches(&app.address);
    let refused = app
        .post_with(&client(), &format!("{pending}/withdraw"), &[])
        .await;
    assert_eq!(refused.status, 409);
    for bad in [
        "/confirm/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/withdraw",
        "/confirm/short/withdraw",
    ] {
        assert_eq!(
            app.post_with(&client(), bad, &[]).await.status,
            404,
            "{bad}"
        );
        assert_eq!(app.get(bad).await.status, 404, "{bad}");
    }
    assert_eq!(app.counts("changed-mind").await["total"], 2);
    app.stop().await;
}

#[tokio::test]
async fn full_tiles_are_immutable_and_match_the_entries() {
    let app = spawn_app_with_signatures("tiles", 300).await;
    let log = read_log(&app, "tiles").await;
    assert_eq!(log.checkpoint.size, 300);
    let (status, tile, headers) = bytes(&app, "/l/tiles/log/tile/0/000").await;
    assert_eq!(status, 200);
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let hashes = tile_hashes(&tile).unwrap();
    assert_eq!(hashes.len(), 256);
    for (i, hash) in hashes.iter().enumerate() {
        assert_eq!(*hash, leaf_hash(&log.entries[i]));
    }
    let (status, partial, headers) = bytes(&app, "/l/tiles/log/tile/0/001.p/44").await;
    assert_eq!(status, 200);
    assert_eq!(partial.len(), 44 * 32);
    assert!(
        !headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    // Level 1 holds the roots of complete 256-entry subtrees.
    let (status, level1, _) = bytes(&app, "/l/tiles/log/tile/1/000.p/1").await;
    assert_eq!(status, 200);
    assert_eq!(
        tile_hashes(&level1).unwrap()[0],
        root_from_leaf_hashes(&hashes)
    );
    let counts = app.counts("tiles").await;
    assert_eq!(counts["total"], 300);
    app.stop().await;
}

#[tokio::test]
async fn two_letters_signed_at_once_keep_separate_consistent_logs() {
    let app = spawn_app().await;
    app.open_letter("first-log").await;
    app.open_letter("second-log").await;
    let first = read_log(&app, "first-log").await;
    let people: Vec<(&str, String, String)> = (0..12)
        .map(|i| {
            let slug = if i % 2 == 0 {
                "first-log"
            } else {
                "second-log"
            };
            (
                slug,
                format!("Parallel Person{i}"),
                format!("p{i}@example.org"),
            )
        })
        .collect();
    let tasks: Vec<_> = people
        .iter()
        .map(|(slug, name, email)| {
            let app = &app;
            async move {
                app.sign_and_confirm(slug, name, email, "public").await;
            }
        })
        .collect();
    futures_join_all(tasks).await;
    for slug in ["first-log", "second-log"] {
        let log = read_log(&app, slug).await;
        assert_eq!(log.checkpoint.size, 6);
        let (_, served) = openings(&app, slug, "0").await;
        let served = served.unwrap();
        assert_eq!(served.openings.len(), 6);
        let names: Vec<String> = served
            .openings
            .iter()
            .map(|o| {
                let opening = o.opening.opening().unwrap();
                assert!(opening.opens(&add_at(&log, o.index as usize)));
                opening.shown.shown_name
            })
            .collect();
        let parity = if slug == "first-log" { 0 } else { 1 };
        for name in names {
            let n: usize = name.trim_start_matches("Parallel Person").parse().unwrap();
            assert_eq!(n % 2, parity, "{name} is in the wrong letter's log");
        }
        assert_eq!(app.counts(slug).await["total"], 6);
    }
    // The first log grew from its empty start consistently across all those batches.
    assert_eq!(first.checkpoint.size, 0);

    // And across a restart.
    let before = read_log(&app, "first-log").await;
    let stopped = app.stop().await;
    let app = stopped.start().await;
    app.sign_and_confirm("first-log", "After Restart", "after@example.org", "public")
        .await;
    let after = read_log(&app, "first-log").await;
    assert_eq!(after.checkpoint.size, 7);
    let leaves: Vec<Hash> = after.entries[..6].iter().map(|e| leaf_hash(e)).collect();
    assert_eq!(root_from_leaf_hashes(&leaves), before.checkpoint.root_hash);
    app.stop().await;
}

/// Awaits all the futures (they run concurrently on the test runtime).
async fn futures_join_all<F: std::future::Future<Output = ()>>(futures: Vec<F>) {
    let handles: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut handles = handles;
    std::future::poll_fn(move |cx| {
        let mut pending = false;
        handles.retain_mut(|f| match f.as_mut().poll(cx) {
            std::task::Poll::Ready(()) => false,
            std::task::Poll::Pending => {
                pending = true;
                true
            }
        });
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
}

/// Signs `name` publicly or by initials with a city and a comment, and confirms; returns the
/// confirmation link's path.
async fn sign_with_details(
    app: &TestApp,
    slug: &str,
    name: &str,
    email: &str,
    display: &str,
    city: &str,
    comment: &str,
) -> String {
    let categories = app.categories(slug).await;
    let page = app
        .sign(
            slug,
            &[
                ("name", name),
                ("email", email),
                ("category", &categories[1]),
                ("display", display),
                ("city", city),
                ("show_city", "on"),
                ("comment", comment),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let path = app.confirm_path(&app.mail.wait_for_to(email, 1).await);
    let confirmed = app.post_with(&client(), &path, &[]).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    path
}

/// Every public surface of a letter, in one string: the page, its counts and list, the
/// log's checkpoint, entry bundles and openings.
/// The extra data of the receipt of the signature confirmed with `link`, as JSON text.
async fn receipt_extra(app: &TestApp, link: &str) -> String {
    let receipt = String::from_utf8(bytes(app, &format!("{link}/receipt")).await.1).unwrap();
    let extra = receipt
        .lines()
        .nth(1)
        .unwrap()
        .strip_prefix("extra ")
        .unwrap();
    String::from_utf8(STANDARD.decode(extra).unwrap()).unwrap()
}

async fn public_text(app: &TestApp, slug: &str) -> String {
    let log = read_log(app, slug).await;
    let mut text = app.get(&format!("/l/{slug}")).await.body;
    text.push_str(&app.get(&format!("/l/{slug}/counts.json")).await.body);
    text.push_str(&app.get(&format!("/l/{slug}/signatories.json")).await.body);
    text.push_str(&app.get(&format!("/l/{slug}/log/checkpoint")).await.body);
    text.push_str(&String::from_utf8_lossy(&log.entries.concat()));
    for bundle in 0..log.checkpoint.size.div_ceil(256) {
        text.push_str(
            &app.get(&format!("/l/{slug}/log/openings/{bundle}"))
                .await
                .body,
        );
    }
    text
}

/// Finding 1: a withdrawn or hidden signer's name, details and comment stay nowhere: not in
/// the log (which holds commitments), not among the openings, not on any page or list, not
/// in the receipt served afterwards, and not in the database; the counts still follow the
/// entries alone, and the log stays valid.
#[tokio::test]
async fn a_withdrawn_or_hidden_signers_text_is_gone_from_every_surface_and_the_database() {
    // The retention job runs often, to erase a hide's text once its undo window is over.
    let app = TestApp::init()
        .with_retention_every(Duration::from_millis(50))
        .spawn()
        .await;
    let id = app.open_letter("erasable").await;
    sign_with_details(
        &app,
        "erasable",
        "Stella Keepwell",
        "stella@example.org",
        "public",
        "Keepford",
        "Staying put",
    )
    .await;
    let withdrawn = sign_with_details(
        &app,
        "erasable",
        "Wendeline Quorrow",
        "wendeline@example.org",
        "public",
        "Quorrowby",
        "Marker comment wq-7731",
    )
    .await;
    sign_with_details(
        &app,
        "erasable",
        "Hesper Tarnwick",
        "hesper@example.org",
        "initials",
        "Tarnmouth",
        "Marker comment ht-5512",
    )
    .await;
    // While they are public, their text is served: in the openings, the list and the page.
    let before = public_text(&app, "erasable").await;
    for shown in [
        "Stella Keepwell",
        "Wendeline Quorrow",
        "Quorrowby",
        "wq-7731",
        "H. T.",
        "Tarnmouth",
    ] {
        assert!(before.contains(shown), "{shown} is shown while public");
    }
    let extra: serde_json::Value =
        serde_json::from_str(&receipt_extra(&app, &withdrawn).await).unwrap();
    assert_eq!(extra["opening"]["name"], "Wendeline Quorrow");

    // Wendeline withdraws; a moderator hides Hesper.
    let done = app
        .post_with(&client(), &format!("{withdrawn}/withdraw"), &[])
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    let list = app.get(&format!("/admin/letters/{id}/signatures")).await;
    let hide = first_hide_link(&list.body);
    let hidden = app.post(&hide, &[("csrf", &list.csrf())]).await;
    assert_eq!(hidden.status, 303, "{}", hidden.body);

    let markers = [
        "Wendeline",
        "Quorrow",
        "wq-7731",
        "Hesper",
        "Tarnwick",
        "H. T.",
        "Tarnmouth",
        "ht-5512",
    ];
    // A hide can be undone for a while: until then the hidden signer's text stays, sealed,
    // in the database (never on a public surface). Once the window is over, the retention
    // job erases it.
    let database = database_text(&app).await;
    assert!(database.contains("Hesper Tarnwick"), "kept for the undo");
    assert!(
        !database.contains("Wendeline"),
        "a withdrawal erases at once"
    );
    app.sql("UPDATE signatures SET undo_until = 1 WHERE undo_until IS NOT NULL")
        .await;
    undersigned_testkit::eventually(
        Duration::from_secs(10),
        "the hide's text erased",
        || async { (!database_text(&app).await.contains("Hesper")).then_some(()) },
    )
    .await;
    let after = public_text(&app, "erasable").await;
    let extra = receipt_extra(&app, &withdrawn).await;
    let database = database_text(&app).await;
    for marker in markers {
        assert!(!after.contains(marker), "{marker} is still public");
        assert!(!extra.contains(marker), "{marker} is still in the receipt");
        assert!(
            !database.contains(marker),
            "{marker} is still in the database"
        );
    }
    // The signer who stayed is untouched, and the organisers still know who withdrew.
    assert!(after.contains("Stella Keepwell") && after.contains("Staying put"));
    assert!(database.contains("stella@example.org") && database.contains("wendeline@example.org"));
    let (_, served) = openings(&app, "erasable", "0").await;
    let indexes: Vec<u64> = served.unwrap().openings.iter().map(|o| o.index).collect();
    assert_eq!(indexes, [0]);

    // The log kept both add entries (as commitments) and appended the removals; the counts
    // are the entries' alone.
    let log = read_log(&app, "erasable").await;
    assert_eq!(log.checkpoint.size, 5);
    assert_eq!(
        counts_from_entries(&log),
        [("Survivor".to_owned(), 1)].into()
    );
    assert_eq!(app.counts("erasable").await["total"], 1);
    assert!(matches!(
        add_at(&log, 1).text,
        EntryText::Committed(Some(_))
    ));
    app.stop().await;
}

/// A letter whose log started before format 2 keeps format 1: its entries name the shown
/// signers in clear (as documented), it serves no openings and no salts, and its removals
/// are format 1 too; what the database holds of a removed signer is erased all the same.
#[tokio::test]
async fn a_letter_whose_log_started_in_format_1_keeps_it() {
    let app = TestApp::init().with_cache_ttl(Duration::ZERO).spawn().await;
    app.open_letter("older").await;
    // As migration 0005 leaves a letter whose log had entries.
    app.sql("UPDATE letters SET log_version = 1 WHERE slug = 'older'")
        .await;
    app.sign_and_confirm("older", "Olwen Prior", "olwen@example.org", "public")
        .await;
    let leaving = app
        .sign_and_confirm("older", "Ivor Lattimer", "ivor@example.org", "initials")
        .await;
    app.sign_and_confirm("older", "Pim Quiet", "pim@example.org", "private")
        .await;
    let log = read_log(&app, "older").await;
    let names: Vec<Option<String>> = (0..3)
        .map(|i| add_at(&log, i).clear_text().map(|t| t.shown_name))
        .collect();
    assert_eq!(
        names,
        [
            Some("Olwen Prior".to_owned()),
            Some("I. L.".to_owned()),
            None
        ]
    );
    assert!(log.decoded().iter().all(|e| e.version() == LogVersion::V1));
    assert_eq!(openings(&app, "older", "0").await.0, 404);
    let list = signatories(&app, "older").await;
    assert_eq!(list.signatories.len(), 2);
    assert!(list.signatories.iter().all(|s| s.salt.is_none()));
    let extra: serde_json::Value =
        serde_json::from_str(&receipt_extra(&app, &leaving).await).unwrap();
    assert_eq!(extra["v"], 1);
    assert!(extra.get("opening").is_none());
    // The withdrawal page says the initials stay readable in the log.
    let ask = app.get(&format!("{leaving}/withdraw")).await;
    assert!(
        ask.body
            .contains("stays in the log as it was published: the name and details the page showed"),
        "{}",
        ask.body
    );

    let done = app
        .post_with(&client(), &format!("{leaving}/withdraw"), &[])
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    let log = read_log(&app, "older").await;
    assert_eq!(log.decoded()[3].version(), LogVersion::V1);
    assert_eq!(
        counts_from_entries(&log),
        [("Organisation".to_owned(), 2)].into()
    );
    assert!(!database_text(&app).await.contains("Ivor Lattimer"));
    app.stop().await;
}
