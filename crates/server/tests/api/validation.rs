//! Bad input on every form: a 4xx answer with a message at each wrong field, the values kept,
//! and nothing stored or sent. Also bodies that are too large or are not forms.

use crate::helpers::*;

/// The organiser's list of signatures for letter `id` is empty.
async fn assert_no_signatures(app: &TestApp, id: i64) {
    let list = app.get(&format!("/admin/letters/{id}/signatures")).await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("No signatures"), "{}", list.body);
}

/// Nothing was emailed: after a valid signature's email arrives, it is the only one.
async fn assert_nothing_emailed(app: &TestApp, slug: &str) {
    app.mail_barrier(slug).await;
    let all = app.mail.wait_for(1).await;
    assert_eq!(all.len(), 1, "only the barrier's email: {:?}", all);
    assert_eq!(all[0].to, vec!["barrier@example.org".to_owned()]);
}

#[tokio::test]
async fn signing_with_every_field_missing_marks_each_one() {
    let app = spawn_app().await;
    let id = app.open_letter("missing").await;

    let page = app.sign("missing", &[]).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body
            .contains("Please correct the fields marked below.")
    );
    assert_eq!(
        field_error(&page.body, "name").as_deref(),
        Some("This field is required.")
    );
    assert_eq!(
        field_error(&page.body, "email").as_deref(),
        Some("Enter your email address.")
    );
    assert_eq!(
        field_error(&page.body, "category").as_deref(),
        Some("Choose how you sign.")
    );
    assert_eq!(
        field_error(&page.body, "display").as_deref(),
        Some("Choose how your name is shown.")
    );
    // Optional fields left empty are fine.
    for optional in ["title", "affiliation", "city", "comment"] {
        assert_eq!(field_error(&page.body, optional), None, "{optional}");
    }

    // White space only counts as missing.
    let categories = app.categories("missing").await;
    let page = app
        .sign(
            "missing",
            &[
                ("name", "   \t "),
                ("email", "  "),
                ("category", &categories[0]),
                ("display", "public"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(field_error(&page.body, "name").is_some());
    assert!(field_error(&page.body, "email").is_some());
    assert_eq!(field_error(&page.body, "category"), None);

    assert_eq!(app.total("missing").await, 0);
    assert_no_signatures(&app, id).await;
    assert_nothing_emailed(&app, "missing").await;
    app.stop().await;
}

#[tokio::test]
async fn a_bad_email_is_marked_and_every_value_is_kept() {
    let app = spawn_app().await;
    let id = app.open_letter("bad-email").await;
    let categories = app.categories("bad-email").await;

    for (bad, message) in [
        (
            "not-an-address",
            "Enter an email address like name@example.org.",
        ),
        (
            "ada@localhost",
            "Enter an email address like name@example.org.",
        ),
        (
            "two@@example.org",
            "Enter an email address like name@example.org.",
        ),
        (
            "spaced out@example.org",
            "Enter an email address like name@example.org.",
        ),
    ] {
        let page = app
            .sign(
                "bad-email",
                &[
                    ("name", "Tamsin Quillby"),
                    ("email", bad),
                    ("category", &categories[1]),
                    ("display", "initials"),
                    ("title", "Chief Kite Inspector"),
                    ("affiliation", "Windward Society"),
                    ("city", "Port Imaginary"),
                    ("comment", "Solidarity from the coast."),
                ],
            )
            .await;
        assert_eq!(page.status, 422, "{bad}");
        assert_eq!(field_error(&page.body, "email").as_deref(), Some(message));
        for other in ["name", "category", "display", "title", "city", "comment"] {
            assert_eq!(field_error(&page.body, other), None, "{other}");
        }
        // Every value is kept, so the signer only fixes the address.
        assert!(page.body.contains(&format!("value=\"{bad}\"")));
        assert!(page.body.contains("value=\"Tamsin Quillby\""));
        assert!(page.body.contains("value=\"Chief Kite Inspector\""));
        assert!(page.body.contains("value=\"Windward Society\""));
        assert!(page.body.contains("value=\"Port Imaginary\""));
        assert!(page.body.contains(">Solidarity from the coast.</textarea>"));
        assert!(is_checked(&page.body, "category", &categories[1]));
        assert!(!is_checked(&page.body, "category", &categories[0]));
        assert!(is_checked(&page.body, "display", "initials"));
        assert!(!is_checked(&page.body, "display", "public"));
    }

    // Too long for an address at all.
    let long = format!("{}@example.org", "a".repeat(250));
    let page = app
        .sign(
            "bad-email",
            &[
                ("name", "Tamsin Quillby"),
                ("email", &long),
                ("category", &categories[0]),
                ("display", "public"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert_eq!(
        field_error(&page.body, "email").as_deref(),
        Some("This email address is too long.")
    );

    assert_no_signatures(&app, id).await;
    assert_nothing_emailed(&app, "bad-email").await;
    app.stop().await;
}

#[tokio::test]
async fn over_long_signer_fields_are_refused_with_their_limit() {
    let app = spawn_app().await;
    let id = app.open_letter("long").await;
    let categories = app.categories("long").await;

    let name = "n".repeat(101);
    let title = "t".repeat(121);
    let affiliation = "a".repeat(161);
    let city = "c".repeat(81);
    let comment = "m".repeat(1001);
    let page = app
        .sign(
            "long",
            &[
                ("name", &name),
                ("email", "long@example.org"),
                ("category", &categories[0]),
                ("display", "public"),
                ("title", &title),
                ("affiliation", &affiliation),
                ("city", &city),
                ("comment", &comment),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    for (field, max) in [
        ("name", 100),
        ("title", 120),
        ("affiliation", 160),
        ("city", 80),
        ("comment", 1000),
    ] {
        assert_eq!(
            field_error(&page.body, field),
            Some(format!("Use at most {max} characters.")),
            "{field}"
        );
    }
    assert_eq!(field_error(&page.body, "email"), None);
    assert!(page.body.contains(&format!("value=\"{name}\"")));

    // Control characters are refused, not stored.
    let page = app
        .sign(
            "long",
            &[
                ("name", "Nul\u{0}Byte"),
                ("email", "nul@example.org"),
                ("category", &categories[0]),
                ("display", "public"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert_eq!(
        field_error(&page.body, "name").as_deref(),
        Some("Remove the control characters from this field.")
    );

    assert_no_signatures(&app, id).await;
    assert_nothing_emailed(&app, "long").await;

    // Exactly at the limits is fine (limits count characters, not bytes).
    let page = app
        .sign(
            "long",
            &[
                ("name", &"é".repeat(100)),
                ("email", "limit@example.org"),
                ("category", &categories[0]),
                ("display", "public"),
                ("title", &"t".repeat(120)),
                ("comment", &"m".repeat(1000)),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    app.stop().await;
}

#[tokio::test]
async fn unknown_categories_and_display_levels_are_refused() {
    let app = spawn_app().await;
    let id = app.open_letter("choices").await;
    app.open_letter("elsewhere").await;
    let mine = app.categories("choices").await;
    let theirs = app.categories("elsewhere").await;

    // Another letter's category, an id that does not exist, and junk.
    for category in [theirs[0].as_str(), "999999", "abc", "-1", "1.5"] {
        let page = app
            .sign(
                "choices",
                &[
                    ("name", "Corin Pebblewick"),
                    ("email", "corin@example.org"),
                    ("category", category),
                    ("display", "public"),
                ],
            )
            .await;
        assert_eq!(page.status, 422, "{category}");
        assert_eq!(
            field_error(&page.body, "category").as_deref(),
            Some("Choose how you sign."),
            "{category}"
        );
        assert_eq!(field_error(&page.body, "name"), None);
    }
    for display in ["loud", "PUBLIC", "", "anonymous"] {
        let page = app
            .sign(
                "choices",
                &[
                    ("name", "Corin Pebblewick"),
                    ("email", "corin@example.org"),
                    ("category", &mine[0]),
                    ("display", display),
                ],
            )
            .await;
        assert_eq!(page.status, 422, "{display:?}");
        assert_eq!(
            field_error(&page.body, "display").as_deref(),
            Some("Choose how your name is shown.")
        );
        assert_eq!(field_error(&page.body, "category"), None);
    }

    assert_no_signatures(&app, id).await;
    assert_nothing_emailed(&app, "choices").await;
    app.stop().await;
}

#[tokio::test]
async fn a_required_signer_field_left_empty_is_refused() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let mut fields = letter_fields("city-needed");
    for (key, value) in fields.iter_mut() {
        if *key == "field_city" {
            *value = "required".to_owned();
        }
    }
    let id = app.create_letter(&app.client, &as_form(&fields)).await;
    assert_eq!(app.publish(&app.client, id).await.status, 303);
    let categories = app.categories("city-needed").await;

    let form = app.get("/l/city-needed").await;
    let city_label = &form.body[form.body.find("for=\"city\"").unwrap()..];
    assert!(city_label[..city_label.find("</label>").unwrap()].contains("required"));

    for city in ["", "   "] {
        let page = app
            .sign(
                "city-needed",
                &[
                    ("name", "Wren Ashdown"),
                    ("email", "wren@example.org"),
                    ("category", &categories[0]),
                    ("display", "public"),
                    ("city", city),
                ],
            )
            .await;
        assert_eq!(page.status, 422, "{city:?}");
        assert_eq!(
            field_error(&page.body, "city").as_deref(),
            Some("This field is required.")
        );
        assert!(page.body.contains("value=\"Wren Ashdown\""));
    }
    assert_no_signatures(&app, id).await;

    let page = app
        .sign(
            "city-needed",
            &[
                ("name", "Wren Ashdown"),
                ("email", "wren@example.org"),
                ("category", &categories[0]),
                ("display", "public"),
                ("city", "Lower Noddington"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    app.stop().await;
}

#[tokio::test]
async fn a_hidden_field_posted_anyway_is_ignored() {
    let app = spawn_app().await;
    // The test letter hides the country field.
    let id = app.open_letter("hidden").await;
    let form = app.get("/l/hidden").await;
    assert!(!form.body.contains("name=\"country\""), "not offered");
    let categories = app.categories("hidden").await;

    let page = app
        .sign(
            "hidden",
            &[
                ("name", "Hollis Fernbrake"),
                ("email", "hollis@example.org"),
                ("category", &categories[0]),
                ("display", "public"),
                ("city", "Quillmouth"),
                // Neither stored nor checked: not even its length.
                ("country", &format!("Atlantisland{}", "x".repeat(500))),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let email = app.mail.wait_for_to("hollis@example.org", 1).await;
    let confirmed = app.post(&app.confirm_path(&email), &[]).await;
    assert_eq!(confirmed.status, 200);

    let public = app.get("/l/hidden").await;
    assert!(public.body.contains("Hollis Fernbrake"));
    assert!(public.body.contains("Quillmouth"));
    assert!(!public.body.contains("Atlantisland"));
    let list = app.get(&format!("/admin/letters/{id}/signatures")).await;
    assert!(list.body.contains("Hollis Fernbrake"));
    assert!(!list.body.contains("Atlantisland"));
    app.stop().await;
}

// --- the letter editor ------------------------------------------------------------------

#[tokio::test]
async fn the_letter_editor_marks_each_missing_field() {
    let app = spawn_app().await;
    app.set_up_owner().await;

    let page = app.post_letter(&app.client, &[]).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body
            .contains("Please correct the fields marked below.")
    );
    for (field, message) in [
        ("title", "This field is required."),
        ("subject", "This field is required."),
        ("body", "This field is required."),
        ("targets", "Name at least one target, one a line."),
        (
            "categories",
            "Name at least one category, one a line (for example Supporter).",
        ),
    ] {
        assert_eq!(
            field_error(&page.body, field).as_deref(),
            Some(message),
            "{field}"
        );
    }
    // An empty slug is made from the title: not an error of its own.
    assert_eq!(field_error(&page.body, "slug"), None);

    let dashboard = app.get("/admin").await;
    assert!(
        dashboard.body.contains("No letters yet."),
        "nothing created"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_letter_editor_explains_bad_lines_and_keeps_the_text() {
    let app = spawn_app().await;
    app.set_up_owner().await;

    let page = app
        .post_letter(
            &app.client,
            &[
                ("slug", "Not A Slug"),
                ("title", "Mend the Seawall at Gullhaven"),
                ("subject", "RE: the seawall"),
                ("body", "We ask you to mend it."),
                ("targets", "Mayor Brinely | Mayor | Gullhaven | Extra"),
                ("categories", "Fisher\nfisher"),
                ("field_title", "optional"),
                ("field_affiliation", "optional"),
                ("field_city", "sometimes"),
                ("field_country", "hidden"),
                ("field_comment", "optional"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert_eq!(
        field_error(&page.body, "slug").as_deref(),
        Some("Use 3 to 64 characters: lower-case letters, digits and single hyphens.")
    );
    assert_eq!(
        field_error(&page.body, "targets").as_deref(),
        Some("Line 1: use at most three parts: Name | Title | Organisation")
    );
    let categories = field_error(&page.body, "categories").unwrap();
    assert!(categories.contains("Line 2") && categories.contains("twice"));
    assert!(field_error(&page.body, "field_city").is_some());
    assert_eq!(field_error(&page.body, "field_title"), None);
    assert_eq!(field_error(&page.body, "title"), None);
    // The text typed is all still there.
    assert!(
        page.body
            .contains("value=\"Mend the Seawall at Gullhaven\"")
    );
    assert!(page.body.contains("value=\"Not A Slug\""));
    assert!(page.body.contains(">We ask you to mend it.</textarea>"));
    assert!(
        page.body
            .contains("Mayor Brinely | Mayor | Gullhaven | Extra</textarea>")
    );

    // Reserved addresses, and a body over its limit.
    let mut fields = letter_fields("admin");
    for (key, value) in fields.iter_mut() {
        if *key == "body" {
            *value = "b".repeat(50_001);
        }
    }
    let page = app.post_letter(&app.client, &as_form(&fields)).await;
    assert_eq!(page.status, 422);
    assert_eq!(
        field_error(&page.body, "slug").as_deref(),
        Some("This address is reserved; choose another.")
    );
    assert_eq!(
        field_error(&page.body, "body").as_deref(),
        Some("Use at most 50000 characters.")
    );

    let dashboard = app.get("/admin").await;
    assert!(
        dashboard.body.contains("No letters yet."),
        "nothing created"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_workspace_the_organiser_cannot_write_in_is_refused_with_a_message() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let form = app.get("/admin/letters/new").await;
    let csrf = form.csrf();
    let fields = letter_fields("no-such-workspace");
    let mut all = vec![("csrf", csrf.as_str()), ("workspace", "999999")];
    all.extend(as_form(&fields));
    let page = app.post("/admin/letters/new", &all).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body
            .contains("Choose a workspace where you are an editor."),
        "the message is shown even with a single workspace: {}",
        page.body
    );
    assert_eq!(app.letter_count(&app.client).await, 0, "nothing created");
    app.stop().await;
}

#[tokio::test]
async fn a_taken_address_is_marked_on_the_slug_field_when_creating_and_editing() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    app.create_letter(&app.client, &as_form(&letter_fields("taken")))
        .await;

    let mut fields = letter_fields("taken");
    fields[1].1 = "A different letter".to_owned();
    let page = app.post_letter(&app.client, &as_form(&fields)).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert_eq!(
        field_error(&page.body, "slug").as_deref(),
        Some("Another letter has this address. Choose another.")
    );
    assert!(page.body.contains("value=\"A different letter\""));

    // Editing another draft onto the same address.
    let other = app
        .create_letter(&app.client, &as_form(&letter_fields("other-one")))
        .await;
    let csrf = app.organiser_csrf(&app.client).await;
    let mut edit: Vec<(&str, String)> = vec![("csrf", csrf.clone())];
    edit.extend(letter_fields("taken"));
    let page = app
        .post(&format!("/admin/letters/{other}/edit"), &as_form(&edit))
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert_eq!(
        field_error(&page.body, "slug").as_deref(),
        Some("Another letter has this address. Choose another.")
    );
    let form = app.get(&format!("/admin/letters/{other}/edit")).await;
    assert!(form.body.contains("value=\"other-one\""), "unchanged");
    app.stop().await;
}

#[tokio::test]
async fn editing_with_errors_changes_nothing_and_published_letters_cannot_be_edited() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let draft = app
        .create_letter(&app.client, &as_form(&letter_fields("draft-edit")))
        .await;
    let csrf = app.organiser_csrf(&app.client).await;
    let mut edit: Vec<(&str, String)> = vec![("csrf", csrf.clone())];
    edit.extend(letter_fields("draft-edit"));
    for (key, value) in edit.iter_mut() {
        if *key == "title" {
            value.clear();
        }
        if *key == "subject" {
            *value = "RE: a changed subject".to_owned();
        }
    }
    let page = app
        .post(&format!("/admin/letters/{draft}/edit"), &as_form(&edit))
        .await;
    assert_eq!(page.status, 422);
    assert_eq!(
        field_error(&page.body, "title").as_deref(),
        Some("This field is required.")
    );
    assert!(page.body.contains("value=\"RE: a changed subject\""));
    let shown = app.get(&format!("/admin/letters/{draft}")).await;
    assert!(shown.body.contains("Investigate the academy now"));
    assert!(!shown.body.contains("a changed subject"), "nothing saved");

    // A published letter is not edited, even with valid input.
    let open = app.open_letter("published-edit").await;
    let mut edit: Vec<(&str, String)> = vec![("csrf", csrf.clone())];
    edit.extend(letter_fields("published-edit"));
    edit[2].1 = "Quietly rewritten".to_owned();
    let page = app
        .post(&format!("/admin/letters/{open}/edit"), &as_form(&edit))
        .await;
    assert_eq!(page.status, 409, "{}", page.body);
    assert_eq!(
        message_text(&page.body).as_deref(),
        Some(
            "The letter is open, which does not allow this. Published letters cannot be \
             edited; a draft can be published once, and an open letter closed once."
        )
    );
    let public = app.get("/l/published-edit").await;
    assert!(public.body.contains("Investigate the academy now"));
    assert!(!public.body.contains("Quietly rewritten"));
    assert_eq!(
        app.get(&format!("/admin/letters/{open}/edit")).await.status,
        409
    );
    app.stop().await;
}

// --- setup and login ----------------------------------------------------------------------

#[tokio::test]
async fn the_setup_form_marks_each_wrong_field_and_the_link_keeps_working() {
    let app = spawn_app().await;
    let link = app.setup_link.clone().unwrap();
    let path = link.trim_start_matches(&app.address).to_owned();
    let csrf = app.get(&path).await.csrf();

    let page = app.post(&path, &[("csrf", &csrf)]).await;
    assert_eq!(page.status, 422, "{}", page.body);
    for field in ["workspace", "name", "email", "password"] {
        assert!(field_error(&page.body, field).is_some(), "{field}");
    }

    let page = app
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("workspace", "Gullhaven Friends"),
                ("name", "Odile Owner"),
                ("email", "odile@@example.org"),
                ("password", "too short"),
                ("password_again", "different"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert_eq!(field_error(&page.body, "workspace"), None);
    assert_eq!(field_error(&page.body, "name"), None);
    assert_eq!(
        field_error(&page.body, "email").as_deref(),
        Some("Enter an email address like name@example.org.")
    );
    assert_eq!(
        field_error(&page.body, "password").as_deref(),
        Some("Use at least 12 characters.")
    );
    assert_eq!(
        field_error(&page.body, "password_again").as_deref(),
        Some("The two passwords differ.")
    );
    assert!(page.body.contains("value=\"Gullhaven Friends\""));
    assert!(page.body.contains("value=\"Odile Owner\""));
    assert!(page.body.contains("value=\"odile@@example.org\""));
    assert!(
        !page.body.contains("too short"),
        "passwords are never echoed"
    );

    // Nobody was created: logging in fails, and the link still works.
    let login = app
        .log_in(&client(), "odile@example.org", "a long enough password")
        .await;
    assert_eq!(login.status, 401);
    assert_eq!(app.get(&path).await.status, 200);
    app.set_up_owner().await;

    // Used once, the link is gone.
    let again = app.get(&path).await;
    assert_eq!(again.status, 404);
    assert!(again.body.contains("This setup link is not valid"));
    let unknown = app
        .get("/setup/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(app.get("/setup/junk").await.status, 404);
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_account_get_the_same_answer() {
    let app = spawn_app().await;
    app.set_up_owner().await;

    let browser = client();
    let wrong = app
        .log_in(&browser, OWNER_EMAIL, "not the owner password")
        .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("wrong"));
    assert!(wrong.body.contains(&format!("value=\"{OWNER_EMAIL}\"")));
    assert!(!wrong.body.contains("not the owner password"));

    let unknown = app
        .log_in(&browser, "nobody@example.org", "not the owner password")
        .await;
    assert_eq!(unknown.status, 401);
    let message = |body: &str| {
        let start = body.find("class=\"error-summary\"").unwrap();
        body[start..start + body[start..].find("</div>").unwrap()].to_owned()
    };
    assert_eq!(message(&wrong.body), message(&unknown.body));

    let empty = app.log_in(&browser, "", "").await;
    assert_eq!(empty.status, 401);
    assert!(empty.body.contains("wrong"));

    // Still logged out.
    let admin = app.get_with(&browser, "/admin").await;
    assert_eq!(admin.status, 303);
    app.stop().await;
}

// --- bodies -------------------------------------------------------------------------------

#[tokio::test]
async fn oversized_public_forms_get_413() {
    let app = spawn_app().await;
    let id = app.open_letter("big").await;
    let categories = app.categories("big").await;

    let comment = "x".repeat(33 * 1024);
    let page = app
        .sign(
            "big",
            &[
                ("name", "Bertram Bulk"),
                ("email", "bertram@example.org"),
                ("category", &categories[0]),
                ("display", "public"),
                ("comment", &comment),
            ],
        )
        .await;
    assert_eq!(page.status, 413);
    assert!(page.body.contains("Too much text"));

    let csrf = app.get_with(&client(), "/login").await.csrf();
    let page = app
        .post_with(
            &client(),
            "/login",
            &[
                ("csrf", &csrf),
                ("email", OWNER_EMAIL),
                ("password", &comment),
            ],
        )
        .await;
    assert_eq!(page.status, 413);

    assert_no_signatures(&app, id).await;
    assert_nothing_emailed(&app, "big").await;
    app.stop().await;
}

#[tokio::test]
async fn oversized_organiser_forms_get_413_but_long_letters_fit() {
    let app = spawn_app().await;
    app.set_up_owner().await;

    // 40 KiB is too much for a public form but fine for a letter.
    let mut fields = letter_fields("long-letter");
    fields[3].1 = "word ".repeat(8 * 1024);
    let id = app.create_letter(&app.client, &as_form(&fields)).await;
    assert_eq!(app.get(&format!("/admin/letters/{id}")).await.status, 200);

    let mut fields = letter_fields("huge-letter");
    fields[3].1 = "x".repeat(1024 * 1024 + 1);
    let page = app.post_letter(&app.client, &as_form(&fields)).await;
    assert_eq!(page.status, 413);
    assert!(page.body.contains("Too much text"));
    assert_eq!(
        app.letter_count(&app.client).await,
        1,
        "only the long letter"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_body_that_is_not_a_form_gets_415() {
    let app = spawn_app().await;
    let id = app.open_letter("not-a-form").await;
    let categories = app.categories("not-a-form").await;
    let json = serde_json::json!({
        "name": "Jasper Jsonby",
        "email": "jasper@example.org",
        "category": categories[0],
        "display": "public",
    });

    let sign = app.url("/l/not-a-form/sign");
    for request in [
        client().post(&sign).json(&json),
        client()
            .post(&sign)
            .header("content-type", "text/plain")
            .body("name=Jasper"),
        client().post(&sign).body("name=Jasper"),
    ] {
        let page = app.send(request.header("origin", &app.address)).await;
        assert_eq!(page.status, 415);
        assert!(page.body.contains("application/x-www-form-urlencoded"));
    }
    // The signing form is also taken as multipart (the organisation's form, with its logo):
    // an empty one is a form whose every field is missing.
    let page = app
        .send(
            client()
                .post(&sign)
                .header("origin", &app.address)
                .header("content-type", "multipart/form-data; boundary=x")
                .body("--x--"),
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(field_error(&page.body, "email").is_some());

    // A form that cannot be read (a field given twice) is a 400 too, never a 500.
    let page = app
        .send(
            client()
                .post(&sign)
                .header("origin", &app.address)
                .header("content-type", "application/x-www-form-urlencoded")
                .body("name=A&name=B&email=x%40example.org"),
        )
        .await;
    assert_eq!(page.status, 400, "{}", page.body);

    let login = app
        .send(
            client()
                .post(app.url("/login"))
                .header("origin", &app.address)
                .json(&json),
        )
        .await;
    assert_eq!(login.status, 415);
    let csrf = app.organiser_csrf(&app.client).await;
    let new = app
        .send(
            app.client
                .post(app.url("/admin/letters/new"))
                .header("origin", &app.address)
                .json(&serde_json::json!({ "csrf": csrf, "title": "JSON letter" })),
        )
        .await;
    assert_eq!(new.status, 415);

    assert_no_signatures(&app, id).await;
    app.stop().await;
}

#[tokio::test]
async fn a_title_in_another_script_gives_a_transliterated_address() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    for (title, slug) in [
        (
            "Investigación independiente del club",
            "investigacion-independiente-del-club",
        ),
        ("Расследование в клубе", "rassledovanie-v-klube"),
    ] {
        let mut fields = letter_fields("");
        fields.retain(|(k, _)| *k != "slug" && *k != "title");
        fields.push(("title", title.to_owned()));
        let id = app.create_letter(&app.client, &as_form(&fields)).await;
        let published = app.publish(&app.client, id).await;
        assert_eq!(published.status, 303, "{}", published.body);
        let page = app.get(&format!("/l/{slug}")).await;
        assert_eq!(page.status, 200, "{title} is at /l/{slug}");
        assert!(page.body.contains(title));
    }
    app.stop().await;
}
