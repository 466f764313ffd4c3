//! What the public sees of a signer, and the text that cannot deceive: names that are
//! normalised and refused when they hide or reorder characters, initials that do not give a
//! name away, per-category display rules, the city shown with initials only on request, form
//! bodies that are not UTF-8, and user text isolated in the page. All names are fictional.

use undersigned_verify::entry::LogEntry;

use crate::{helpers::*, log::read_log};

/// The letter `slug`, opened with the standard fields plus `extra` (display rules).
pub(crate) async fn open_letter_with(app: &TestApp, slug: &str, extra: &[(&str, &str)]) -> i64 {
    if app.get("/admin").await.status != 200 {
        app.set_up_owner().await;
    }
    let fields = letter_fields(slug);
    let mut form = as_form(&fields);
    form.extend_from_slice(extra);
    let id = app.create_letter(&app.client, &form).await;
    let page = app.publish(&app.client, id).await;
    assert_eq!(page.status, 303, "{}", page.body);
    id
}

/// The standard letter's categories are Organisation, Survivor, Supporter: survivors may
/// sign with initials or privately, and their city is never shown.
pub(crate) const SURVIVOR_RULE: [(&str, &str); 3] = [
    ("rule_1_name", "Survivor"),
    ("rule_1_initials", "on"),
    ("rule_1_private", "on"),
];

async fn signatories(app: &TestApp, slug: &str) -> serde_json::Value {
    let page = app.get(&format!("/l/{slug}/signatories.json")).await;
    assert_eq!(page.status, 200);
    serde_json::from_str(&page.body).unwrap()
}

/// How many signatures the database holds, whatever their state.
async fn stored_signatures(app: &TestApp) -> i64 {
    let db = app.db().await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM signatures")
        .fetch_one(&db)
        .await
        .unwrap();
    db.close().await;
    n
}

/// A new app with the standard letter `slug`, signed and confirmed by each (name, email,
/// display level) of `signers`.
async fn letter_signed_by(slug: &str, signers: &[(&str, &str, &str)]) -> TestApp {
    let app = spawn_app().await;
    app.open_letter(slug).await;
    for (name, email, display) in signers {
        app.sign_and_confirm(slug, name, email, display).await;
    }
    app
}

/// Signs `slug` with the first category and `fields`, expecting the form back with errors.
async fn refused(app: &TestApp, slug: &str, fields: &[(&str, &str)]) -> Page {
    let categories = app.categories(slug).await;
    let mut form = vec![
        ("email", "refused@example.org"),
        ("category", categories[0].as_str()),
        ("display", "public"),
    ];
    form.extend_from_slice(fields);
    let page = app.sign(slug, &form).await;
    assert_eq!(page.status, 422, "{}", page.body);
    page
}

#[tokio::test]
async fn reversed_and_invisible_names_are_refused_with_their_messages() {
    let app = spawn_app().await;
    app.open_letter("deceive").await;

    // A right-to-left override makes "Ada Corvane" read as something else.
    let page = refused(&app, "deceive", &[("name", "Ada \u{202E}enavroC")]).await;
    assert_eq!(
        field_error(&page.body, "name").as_deref(),
        Some(
            "Remove the direction controls from this field: invisible characters (such as U+202E) that make text read in another order than it was written."
        )
    );
    // A name of zero-width spaces shows as nothing at all; so does a Hangul filler.
    for invisible in ["\u{200B}\u{200B}", "\u{3164}", "Ada\u{200B}Corvane"] {
        let page = refused(&app, "deceive", &[("name", invisible)]).await;
        assert_eq!(
            field_error(&page.body, "name").as_deref(),
            Some(
                "Remove the invisible characters (zero-width spaces, joiners or fillers) from this field."
            ),
            "{invisible:?}"
        );
    }
    let page = refused(&app, "deceive", &[("name", "-- 42 --")]).await;
    assert_eq!(
        field_error(&page.body, "name").as_deref(),
        Some("Write your name with at least one letter.")
    );
    // Every signer field, not only the name.
    let page = refused(
        &app,
        "deceive",
        &[("name", "Ada Corvane"), ("city", "Lyon\u{2067}")],
    )
    .await;
    assert!(field_error(&page.body, "city").is_some_and(|e| e.contains("direction controls")));
    assert_eq!(field_error(&page.body, "name"), None);

    assert_eq!(stored_signatures(&app).await, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_decomposed_name_is_stored_and_shown_composed() {
    let app = spawn_app().await;
    let id = app.open_letter("composed").await;
    let decomposed = "Zoe\u{0301} Ba\u{0308}rlund";
    app.sign_and_confirm("composed", decomposed, "zoe@example.org", "public")
        .await;

    let page = app.get("/l/composed").await;
    assert!(page.body.contains("Zoé Bärlund"), "{}", page.body);
    assert!(!page.body.contains(decomposed));
    let listed = signatories(&app, "composed").await;
    assert_eq!(listed["signatories"][0]["name"], "Zoé Bärlund");
    let admin = app.get(&format!("/admin/letters/{id}/signatures")).await;
    assert!(admin.body.contains("Zoé Bärlund"));
    assert!(!admin.body.contains(decomposed));
    app.stop().await;
}

#[tokio::test]
async fn initials_of_a_han_or_hangul_name_show_one_character() {
    let app = letter_signed_by(
        "syllables",
        &[
            ("王 芳", "wang@example.org", "initials"),
            ("김 민준", "kim@example.org", "initials"),
            ("Mara Ellsworth", "mara@example.org", "initials"),
        ],
    )
    .await;
    let page = app.get("/l/syllables").await;
    for shown in ["王.", "김.", "M. E."] {
        assert!(page.body.contains(shown), "{shown}");
    }
    for hidden in ["芳", "민", "王 芳", "Ellsworth"] {
        assert!(!page.body.contains(hidden), "{hidden} is on the page");
    }
    let listed = signatories(&app, "syllables").await;
    let names: Vec<&str> = listed["signatories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["M. E.", "김.", "王."]);
    app.stop().await;
}

#[tokio::test]
async fn a_form_body_that_is_not_utf8_gets_400_with_what_to_fix() {
    let app = spawn_app().await;
    app.open_letter("bytes").await;
    let categories = app.categories("bytes").await;
    let rest = format!(
        "&email=bytes%40example.org&category={}&display=public",
        categories[0]
    );
    // Percent-encoded bytes that are not UTF-8, and the same bytes sent raw.
    let bodies: [Vec<u8>; 2] = [
        format!("name=Ada%FF%FECorvane{rest}").into_bytes(),
        [b"name=Ada".as_slice(), &[0xC3, 0x28], rest.as_bytes()].concat(),
    ];
    for body in bodies {
        let page = app
            .send(
                client()
                    .post(app.url("/l/bytes/sign"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body),
            )
            .await;
        assert_eq!(page.status, 400, "{}", page.body);
        assert_eq!(
            message_text(&page.body).as_deref(),
            Some(
                "The field “name” holds characters that are not valid text (UTF-8). Retype what you wrote there, or paste it again as plain text, and send the form again."
            )
        );
    }
    assert_eq!(stored_signatures(&app).await, 0);
    app.stop().await;
}

#[tokio::test]
async fn user_text_is_isolated_and_right_to_left_names_are_shown_whole() {
    let app = letter_signed_by(
        "isolated",
        &[
            ("ليلى حداد", "layla@example.org", "public"),
            ("דנה לוי", "dana@example.org", "public"),
        ],
    )
    .await;
    let page = app.get("/l/isolated").await;
    for name in ["ليلى حداد", "דנה לוי"] {
        assert!(
            page.body
                .contains(&format!("<bdi class=\"signer-name\">{name}</bdi>")),
            "{name}"
        );
    }
    assert!(
        page.body
            .contains("<bdi class=\"signer-category\">Organisation</bdi>")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_level_the_category_forbids_is_a_field_error_and_nothing_is_stored() {
    let app = spawn_app().await;
    open_letter_with(&app, "guarded", &SURVIVOR_RULE).await;
    let page = app.get("/l/guarded").await;
    assert!(
        page.body
            .contains("(name shown as initials or not at all; city never shown)"),
        "the form says the rule in words"
    );
    let survivor = app.categories("guarded").await[1].clone();

    let signed = app
        .sign(
            "guarded",
            &[
                ("name", "Noor Halvard"),
                ("email", "noor@example.org"),
                ("category", &survivor),
                ("display", "public"),
                ("city", "Harbour City"),
            ],
        )
        .await;
    assert_eq!(signed.status, 422, "{}", signed.body);
    assert_eq!(
        field_error(&signed.body, "display").as_deref(),
        Some(
            "For the category you chose, your name can be shown as initials or not at all. Choose one of these."
        )
    );
    // What they typed is kept.
    assert!(is_checked(&signed.body, "category", &survivor));
    assert_eq!(stored_signatures(&app).await, 0);
    app.mail_barrier("guarded").await;
    assert_eq!(app.mail.to("noor@example.org").len(), 0);

    // Initials are allowed; the city is not shown even when they tick the box.
    let before = app.mail.to("noor@example.org").len();
    let signed = app
        .sign(
            "guarded",
            &[
                ("name", "Noor Halvard"),
                ("email", "noor@example.org"),
                ("category", &survivor),
                ("display", "initials"),
                ("city", "Harbour City"),
                ("show_city", "on"),
            ],
        )
        .await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    let path = app.confirm_path(&app.mail.wait_for_to("noor@example.org", before + 1).await);
    let confirm = app.get(&path).await;
    assert!(
        !confirm.body.contains("Harbour City"),
        "the preview shows no city"
    );
    assert_eq!(app.post(&path, &[]).await.status, 200);
    let page = app.get("/l/guarded").await;
    assert!(page.body.contains("N. H."));
    assert!(!page.body.contains("Harbour City"));
    app.stop().await;
}

#[tokio::test]
async fn initials_show_the_city_only_when_the_signer_ticks_the_box() {
    let app = spawn_app().await;
    app.open_letter("towns").await;
    let categories = app.categories("towns").await;
    let page = app.get("/l/towns").await;
    assert!(page.body.contains("Show my city with my initials"));
    for (name, email, city, tick) in [
        ("Mira Eastwood", "mira@example.org", "Harbour City", ""),
        ("Otto Lindqvist", "otto@example.org", "Lyon", "on"),
    ] {
        let signed = app
            .sign(
                "towns",
                &[
                    ("name", name),
                    ("email", email),
                    ("category", &categories[1]),
                    ("display", "initials"),
                    ("city", city),
                    ("show_city", tick),
                ],
            )
            .await;
        assert_eq!(signed.status, 303, "{}", signed.body);
        let path = app.confirm_path(&app.mail.wait_for_to(email, 1).await);
        assert_eq!(app.post(&path, &[]).await.status, 200);
    }

    let page = app.get("/l/towns").await;
    assert!(page.body.contains("M. E."));
    assert!(page.body.contains("O. L."));
    assert!(page.body.contains("Lyon"), "the ticked city is shown");
    assert!(
        !page.body.contains("Harbour City"),
        "the unticked city is not"
    );

    let listed = signatories(&app, "towns").await;
    let rows = listed["signatories"].as_array().unwrap();
    assert_eq!(rows[0]["name"], "O. L.");
    assert_eq!(rows[0]["details"], "Lyon");
    assert_eq!(rows[1]["name"], "M. E.");
    assert!(rows[1]["details"].is_null(), "{}", rows[1]);
    assert!(!listed.to_string().contains("Harbour City"));

    // The log: the unticked city is nowhere in it, the ticked one is in its entry.
    let log = read_log(&app, "towns").await;
    assert!(
        !log.entries
            .concat()
            .windows(b"Harbour City".len())
            .any(|w| w == b"Harbour City")
    );
    let LogEntry::Add(ticked) = &log.decoded()[1] else {
        panic!("an add entry")
    };
    // Format 2: the entry commits to the shown text, which the listing's opening opens.
    use base64::Engine as _;
    let salt: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(rows[0]["salt"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let opening = undersigned_verify::entry::Opening {
        salt,
        shown: undersigned_core::signature::PublicSigner {
            shown_name: "O. L.".into(),
            details: Some("Lyon".into()),
            comment: None,
        },
    };
    assert!(opening.opens(ticked), "{ticked:?}");
    app.stop().await;
}

#[tokio::test]
async fn the_editor_keeps_each_categorys_rule_and_refuses_one_with_no_level() {
    let app = spawn_app().await;
    app.set_up_owner().await;

    // A category whose boxes are all cleared: the form comes back with a message, and no
    // letter is made.
    let fields = letter_fields("no-level");
    let mut form = as_form(&fields);
    form.extend_from_slice(&[("rule_1_name", "Survivor"), ("rule_1_city", "on")]);
    let page = app.post_letter(&app.client, &form).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body
            .contains("Survivor: allow at least one way of showing signers."),
        "{}",
        page.body
    );
    assert_eq!(app.letter_count(&app.client).await, 0);
    // The table shows one row per category, with the boxes as posted: Organisation has
    // no row posted, so everything is ticked.
    assert!(is_checked(&page.body, "rule_0_public", "on"));
    assert!(!is_checked(&page.body, "rule_1_public", "on"));
    assert!(is_checked(&page.body, "rule_1_city", "on"));
    assert_eq!(
        hidden_value(&page.body, "rule_2_name").as_deref(),
        Some("Supporter")
    );

    // Saved, the rule is shown on the letter's page and comes back in the editor.
    let fields = letter_fields("kept");
    let mut form = as_form(&fields);
    form.extend_from_slice(&SURVIVOR_RULE);
    let id = app.create_letter(&app.client, &form).await;
    let admin = app.get(&format!("/admin/letters/{id}")).await;
    assert!(
        admin
            .body
            .contains("Survivor</bdi>: names shown as initials or not at all; city never shown")
    );
    let edit = app.get(&format!("/admin/letters/{id}/edit")).await;
    assert_eq!(
        hidden_value(&edit.body, "rule_1_name").as_deref(),
        Some("Survivor")
    );
    assert!(!is_checked(&edit.body, "rule_1_public", "on"));
    assert!(is_checked(&edit.body, "rule_1_initials", "on"));
    assert!(is_checked(&edit.body, "rule_1_private", "on"));
    assert!(!is_checked(&edit.body, "rule_1_city", "on"));
    assert!(is_checked(&edit.body, "rule_0_public", "on"));
    app.stop().await;
}
