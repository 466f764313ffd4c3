//! The leak test: signers with unique markers at each display level, one of them withdrawn,
//! one signing in Spanish, a change of substance that asks them all to re-confirm, and a copy
//! of the letter for another target to which they are invited; then every public surface, the server's own log output and the raw
//! bytes of the SQLite file, its WAL and a backup are searched for every marker that must not
//! be there; and the language each signer used is stored sealed.

use std::{path::Path, str::FromStr};

use sqlx::{
    Connection, Row,
    sqlite::{SqliteConnectOptions, SqliteConnection},
};
use undersigned_store::sealed::{Field, Keyring};
use undersigned_testkit::{
    Site, client,
    html::{radio_values, value_after},
};

use crate::process::{demo, serve, undersigned};

/// Everything the public can fetch about the demo letter, in one string (binary resources
/// lossily).
async fn public_surfaces(server: &undersigned_testkit::ServerProcess) -> String {
    let mut all = String::new();
    let counts: serde_json::Value =
        serde_json::from_str(&server.get_with(&client(), "/l/demo/counts.json").await.body)
            .unwrap();
    let size = counts["log_size"].as_u64().unwrap();
    let mut paths = vec![
        "/".to_owned(),
        "/l/demo".to_owned(),
        "/l/demo?before=20".to_owned(),
        "/l/demo/counts.json".to_owned(),
        "/l/demo/signatories.json".to_owned(),
        "/l/demo/log/checkpoint".to_owned(),
        "/.well-known/undersigned/checkpoint-key".to_owned(),
    ];
    for bundle in 0..size.div_ceil(256) {
        let full = (bundle + 1) * 256 <= size;
        let suffix = if full {
            String::new()
        } else {
            format!(".p/{}", size % 256)
        };
        paths.push(format!("/l/demo/log/tile/entries/{bundle:03}{suffix}"));
        paths.push(format!("/l/demo/log/tile/0/{bundle:03}{suffix}"));
        paths.push(format!("/l/demo/log/openings/{bundle}"));
    }
    for path in paths {
        let response = client()
            .get(format!("{}{path}", server.base_url()))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        all.push_str(&String::from_utf8_lossy(&response.bytes().await.unwrap()));
        all.push('\n');
    }
    all
}

fn bytes_of(files: &[&Path]) -> Vec<u8> {
    let mut all = Vec::new();
    for file in files {
        if let Ok(bytes) = std::fs::read(file) {
            all.extend(bytes);
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

struct Marked {
    name: &'static str,
    email: &'static str,
    city: &'static str,
    comment: &'static str,
    category: usize,
    display: &'static str,
}

const WITHDRAWN: Marked = Marked {
    name: "Pubmark Alderley",
    email: "pubmark-mail@example.org",
    city: "Pubcitymark",
    comment: "Pubcommentmark",
    category: 0,
    display: "public",
};
const INITIALS: Marked = Marked {
    name: "Inimark Bexhill",
    email: "inimark-mail@example.org",
    city: "Inicitymark",
    comment: "Inicommentmark",
    category: 1,
    display: "initials",
};
const PRIVATE: Marked = Marked {
    name: "Privmark Carrow",
    email: "privmark-mail@example.org",
    city: "Privcitymark",
    comment: "Privcommentmark",
    category: 0,
    display: "private",
};
/// Signs in Spanish (`?lang=es`): the language she used is hers to keep private too.
const SPANISH: Marked = Marked {
    name: "Hispmark Orozco",
    email: "hispmark-mail@example.org",
    city: "Hispcitymark",
    comment: "Hispcommentmark",
    category: 0,
    display: "private",
};
const KEPT: Marked = Marked {
    name: "Keptmark Dunmore",
    email: "keptmark-mail@example.org",
    city: "Keptcitymark",
    comment: "Keptcommentmark",
    category: 0,
    display: "public",
};

/// Signs and confirms as `who` (with the city shown if the category allows it); returns
/// the confirmation link.
async fn sign(server: &undersigned_testkit::ServerProcess, data: &Path, who: &Marked) -> String {
    sign_at(server, data, who, "/l/demo/sign").await
}

/// [`sign`], posting the form to `action`.
async fn sign_at(
    server: &undersigned_testkit::ServerProcess,
    data: &Path,
    who: &Marked,
    action: &str,
) -> String {
    let page = server.get_with(&client(), "/l/demo").await;
    let category = radio_values(&page.body, "category").remove(who.category);
    let before = undersigned_testkit::mail::written(data).len();
    let signed = server
        .post_with(
            &client(),
            action,
            &[
                ("name", who.name),
                ("email", who.email),
                ("category", &category),
                ("display", who.display),
                ("city", who.city),
                ("show_city", "on"),
                ("comment", who.comment),
                // Each asks for updates: the invitations to past signers reach them.
                ("updates", "on"),
            ],
        )
        .await;
    assert_eq!(signed.status, 303, "{}: {}", who.name, signed.body);
    let email = undersigned_testkit::mail::wait_for_written(data, before + 1).await;
    let path = email.confirm_path().expect("a confirmation link");
    let confirmed = server.post_with(&client(), &path, &[]).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    path
}

#[tokio::test]
async fn no_private_or_erased_marker_is_anywhere_public_nor_in_the_database_files() {
    let data = tempfile::tempdir().unwrap();
    let password = value_after(&demo(data.path()), "password: ");
    let server = serve(data.path()).await;
    let withdrawn = sign(&server, data.path(), &WITHDRAWN).await;
    sign(&server, data.path(), &INITIALS).await;
    sign(&server, data.path(), &PRIVATE).await;
    sign(&server, data.path(), &KEPT).await;
    sign_at(&server, data.path(), &SPANISH, "/l/demo/sign?lang=es").await;
    // An organisation signs from its own domain (published, verified), another from
    // elsewhere (held for an organiser): the names of the people who sign for them are
    // shown or not, and their addresses never are.
    for (organisation, website, signer, email) in [
        (
            "Orgmark Trust",
            "orgmark.example",
            "Orgsignermark Ellery",
            "orgmail@orgmark.example",
        ),
        (
            "Heldorgmark Club",
            "heldorgmark.example",
            "Heldsignermark Fenn",
            "heldorgmail@example.org",
        ),
    ] {
        let before = undersigned_testkit::mail::written(data.path()).len();
        let signed = server
            .post_with(
                &client(),
                "/l/demo/sign",
                &[
                    ("signer", "organisation"),
                    ("organisation", organisation),
                    ("website", website),
                    ("name", signer),
                    ("title", "Chair"),
                    ("email", email),
                    ("authorised", "on"),
                ],
            )
            .await;
        assert_eq!(signed.status, 303, "{organisation}: {}", signed.body);
        let email = undersigned_testkit::mail::wait_for_written(data.path(), before + 1).await;
        let path = email.confirm_path().expect("a confirmation link");
        let confirmed = server.post_with(&client(), &path, &[]).await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    }

    // A change of substance: the fan-out queues a re-confirmation email to every signer
    // (their requests and emails are in the files searched below).
    change_the_text(&server, data.path(), &password).await;
    // The letter is sent to another target, and its past signers who asked for updates are
    // invited to sign the copy (their invitations and emails are searched too).
    invite_past_signers(&server, data.path(), &password).await;

    // While public, the public signer's text is served: the search can see it.
    let before = public_surfaces(&server).await;
    assert!(before.contains(WITHDRAWN.name));
    assert!(before.contains(KEPT.name) && before.contains(KEPT.comment));
    assert!(before.contains("I. B."), "the initials are shown");
    assert!(before.contains("Orgmark Trust") && before.contains("Orgsignermark Ellery"));

    let page = server
        .get_with(&client(), &format!("{withdrawn}/withdraw"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let gone = server
        .post_with(&client(), &format!("{withdrawn}/withdraw"), &[])
        .await;
    assert_eq!(gone.status, 200, "{}", gone.body);

    let public = public_surfaces(&server).await;
    assert!(public.contains(KEPT.name), "the kept signer is still shown");

    let backup = data.path().join("backup");
    let out = undersigned(data.path())
        .args(["backup", "--to"])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let raw = bytes_of(&[
        &data.path().join("undersigned.db"),
        &data.path().join("undersigned.db-wal"),
        &backup.join("undersigned.db"),
    ]);
    assert!(
        contains(&raw, "Keptmark Dunmore"),
        "a public name is found where it is kept"
    );
    let logs = server.output();

    // Never anywhere: addresses, the private signer's text, what initials hide, and
    // everything the withdrawn signer wrote.
    let mut hidden = Vec::new();
    for who in [&WITHDRAWN, &INITIALS, &PRIVATE, &KEPT] {
        hidden.push(who.email);
    }
    hidden.push(SPANISH.email);
    hidden.extend([PRIVATE.name, PRIVATE.city, PRIVATE.comment]);
    hidden.extend([SPANISH.name, SPANISH.city, SPANISH.comment]);
    hidden.extend([INITIALS.name, "Inimark", "Bexhill", INITIALS.city]);
    // The organisations' signers' addresses; the held one is not shown at all (its name
    // and its signer's are kept, sealed, for the organiser who verifies it).
    hidden.extend(["orgmail@orgmark.example", "heldorgmail@example.org"]);
    for marker in ["Heldorgmark", "Heldsignermark"] {
        assert!(
            !public.contains(marker),
            "{marker} is public before verification"
        );
    }
    hidden.extend([
        WITHDRAWN.name,
        "Pubmark",
        "Alderley",
        WITHDRAWN.city,
        WITHDRAWN.comment,
    ]);
    for marker in &hidden {
        assert!(!public.contains(marker), "{marker} is public");
        assert!(
            !logs.contains(marker),
            "{marker} is in the server's log output"
        );
        assert!(
            !contains(&raw, marker),
            "{marker} is in the database, its WAL or the backup"
        );
    }
    languages_are_sealed(data.path()).await;
    server.kill_hard();
}

/// The organiser changes the demo letter's text in substance, and every published signer's
/// re-confirmation email is written.
async fn change_the_text(server: &undersigned_testkit::ServerProcess, data: &Path, password: &str) {
    let organiser = client();
    let logged_in = server
        .log_in(&organiser, "organiser@example.org", password)
        .await;
    assert_eq!(logged_in.status, 303);
    let signers = server.total("demo").await as usize;
    let before = undersigned_testkit::mail::written(data).len();
    let form = server.get_with(&organiser, "/admin/letters/1/text").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let edited = server
        .post_with(
            &organiser,
            "/admin/letters/1/text",
            &[
                ("csrf", &form.csrf()),
                (
                    "title",
                    "Investigate the Meridian Football League's youth academies",
                ),
                ("subject", "RE: An independent investigation"),
                ("body", "We ask for an independent investigation, now."),
                ("change", "substantive"),
                ("note", "A shorter text"),
            ],
        )
        .await;
    assert_eq!(edited.status, 303, "{}", edited.body);
    undersigned_testkit::mail::wait_for_written(data, before + signers).await;
    // Each in the language they signed in: the Spanish signer's in Spanish.
    let written = written_in(
        data,
        "The letter you signed has changed",
        "La carta que firmaste ha cambiado",
    );
    assert_eq!(written, (signers - 1, 1));
}

/// How many emails written so far have a subject starting with `english`, and how many
/// with `spanish`.
fn written_in(data: &Path, english: &str, spanish: &str) -> (usize, usize) {
    let subjects: Vec<String> = undersigned_testkit::mail::written(data)
        .iter()
        .map(|m| m.subject())
        .collect();
    let count = |prefix: &str| subjects.iter().filter(|s| s.starts_with(prefix)).count();
    (count(english), count(spanish))
}

/// The organiser sends the demo letter to another target (a copy, published) and invites
/// its past signers, and every invitation email is written.
async fn invite_past_signers(
    server: &undersigned_testkit::ServerProcess,
    data: &Path,
    password: &str,
) {
    let organiser = client();
    let logged_in = server
        .log_in(&organiser, "organiser@example.org", password)
        .await;
    assert_eq!(logged_in.status, 303);
    let letter = server.get_with(&organiser, "/admin/letters/1").await;
    let copied = server
        .post_with(
            &organiser,
            "/admin/letters/1/retarget",
            &[("csrf", &letter.csrf())],
        )
        .await;
    assert_eq!(copied.status, 303, "{}", copied.body);
    let edit = copied.location.expect("the copy's edit page");
    let copy = edit
        .trim_start_matches("/admin/letters/")
        .trim_end_matches("/edit")
        .to_owned();
    let form = server.get_with(&organiser, &edit).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let categories = form
        .body
        .split("name=\"categories\"")
        .nth(1)
        .and_then(|rest| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split_once("</textarea>"))
        .map(|(text, _)| text.trim().to_owned())
        .expect("the categories");
    let saved = server
        .post_with(
            &organiser,
            &edit,
            &[
                ("csrf", &form.csrf()),
                ("slug", "demo-second"),
                ("title", "Investigate the league's academies too"),
                ("subject", "RE: An independent investigation"),
                (
                    "body",
                    "We ask the league for an independent investigation, now.",
                ),
                ("targets", "Olav Pike | Chair | Second Example League"),
                ("categories", &categories),
                ("field_title", "optional"),
                ("field_affiliation", "optional"),
                ("field_city", "optional"),
                ("field_country", "hidden"),
                ("field_comment", "optional"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = format!("/admin/letters/{copy}");
    let before = undersigned_testkit::mail::written(data).len();
    for action in ["publish", "invite"] {
        let csrf = server.get_with(&organiser, &page).await.csrf();
        let pressed = server
            .post_with(&organiser, &format!("{page}/{action}"), &[("csrf", &csrf)])
            .await;
        assert_eq!(pressed.status, 303, "{action}: {}", pressed.body);
    }
    // The fan-out job queues them; the copy's page says how many once it is done.
    let mut invited = None;
    for _ in 0..400 {
        let body = server.get_with(&organiser, &page).await.body;
        let run = body
            .split("<ul class=\"invitation-runs\"><li>")
            .nth(1)
            .and_then(|rest| rest.split("</li>").next())
            .filter(|line| line.ends_with("(done)"))
            .map(str::to_owned);
        if let Some(line) = run {
            invited = Some(value_after(&line, ": ").parse::<usize>().expect("a number"));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let invited = invited.expect("the invitations never finished");
    // The five marked signers who sign for themselves asked for updates.
    assert!(invited >= 5, "{invited} invited");
    undersigned_testkit::mail::wait_for_written(data, before + invited).await;
    // Each in the language they signed in: the Spanish signer's in Spanish.
    let written = written_in(data, "Sign again", "Firma de nuevo");
    assert_eq!(written, (invited - 1, 1));
}

/// The language each signer used (a two-letter tag, too short to search the files for) is
/// stored sealed: a BLOB of a sealed value's length that is not the tag, and opens, with the
/// data keys, as `es` for the Spanish signer and `en` for the others.
async fn languages_are_sealed(data: &Path) {
    let options = SqliteConnectOptions::from_str(&format!(
        "sqlite://{}",
        data.join("undersigned.db").display()
    ))
    .unwrap()
    .read_only(true);
    let mut db = SqliteConnection::connect_with(&options).await.unwrap();
    let rows =
        sqlx::query("SELECT lang, typeof(lang) AS kind FROM signatures WHERE lang IS NOT NULL")
            .fetch_all(&mut db)
            .await
            .unwrap();
    db.close().await.unwrap();
    let keys = Keyring::load(&data.join("keys/data.keys")).unwrap();
    let mut languages = Vec::new();
    for row in &rows {
        let kind: String = row.get("kind");
        assert_eq!(kind, "blob", "a language is stored as {kind}");
        let stored: Vec<u8> = row.get("lang");
        for tag in ["en", "es", "fr"] {
            assert_ne!(
                stored.as_slice(),
                tag.as_bytes(),
                "{tag} is stored in clear"
            );
        }
        assert_eq!(stored.len(), keys.sealed_len("es"), "not a sealed tag");
        languages.push(keys.open(Field::Lang, &stored).unwrap());
    }
    // The signers above: four people, the Spanish one, and two for organisations.
    assert_eq!(languages.len(), 7, "{languages:?}");
    assert_eq!(languages.iter().filter(|l| *l == "es").count(), 1);
    assert_eq!(languages.iter().filter(|l| *l == "en").count(), 6);
}
