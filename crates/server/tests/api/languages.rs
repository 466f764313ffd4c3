//! Languages: the interface in the reader's language (Accept-Language, the switcher and its
//! cookie), forms' errors translated, and a letter's own language and translations, with
//! `lang` and `dir` set on its text and one count for every language.

use crate::helpers::*;

/// GET `path` as a fresh browser that prefers `accept_language`.
async fn get_in(app: &TestApp, path: &str, accept_language: &str) -> Page {
    app.send(
        client()
            .get(format!("{}{path}", app.address))
            .header("Accept-Language", accept_language),
    )
    .await
}

/// The organiser's languages form at `action`, sent with `fields`.
async fn send_languages(app: &TestApp, action: &str, fields: &[(&str, &str)]) -> Page {
    let csrf = app.organiser_csrf(&app.client).await;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    app.post(action, &all).await
}

#[tokio::test]
async fn pages_speak_the_readers_language_and_the_switcher_remembers_a_choice() {
    let app = spawn_app().await;
    app.open_letter("languages").await;

    // No preference: English.
    let page = app
        .send(client().get(format!("{}/l/languages", app.address)))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<html lang=\"en\">"), "{}", page.body);
    assert!(page.body.contains("Sign this letter"));

    // A Spanish browser gets Spanish, and a cached page never leaks between languages.
    for _ in 0..2 {
        let es = get_in(&app, "/l/languages", "es-MX,es;q=0.9,en;q=0.5").await;
        assert_eq!(es.status, 200);
        assert!(es.body.contains("<html lang=\"es\">"), "{}", es.body);
        assert!(es.body.contains("Firmar esta carta"), "{}", es.body);
        assert!(es.body.contains("Saltar al contenido principal"));
        assert!(!es.body.contains("Sign this letter"), "{}", es.body);
        let vary = es
            .headers
            .get_all("vary")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        assert!(vary.contains("Accept-Language"), "{vary}");
        let fr = get_in(&app, "/l/languages", "fr-CH, fr;q=0.9").await;
        assert!(fr.body.contains("<html lang=\"fr\">"));
        assert!(fr.body.contains("Signer cette lettre"), "{}", fr.body);
    }
    // A language we do not have falls back to English.
    let de = get_in(&app, "/l/languages", "de-DE").await;
    assert!(de.body.contains("<html lang=\"en\">"));

    // Every page has the switcher, which links to the same page in each language.
    for lang in ["es", "fr", "en"] {
        assert!(
            page.body.contains(&format!("href=\"?lang={lang}\"")) || lang == "en",
            "{lang}"
        );
    }
    assert!(
        page.body
            .contains("aria-current=\"true\" lang=\"en\">English")
    );

    // Picking French is remembered for the next pages, whatever the browser prefers.
    let browser = client();
    let picked = app
        .send(
            browser
                .get(format!("{}/l/languages?lang=fr", app.address))
                .header("Accept-Language", "es"),
        )
        .await;
    assert!(picked.body.contains("<html lang=\"fr\">"));
    let cookie = picked
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(cookie.starts_with("us_lang=fr;"), "{cookie}");
    let next = app
        .send(
            browser
                .get(format!("{}/l/languages/privacy", app.address))
                .header("Accept-Language", "es"),
        )
        .await;
    assert_eq!(next.status, 200);
    assert!(next.body.contains("<html lang=\"fr\">"), "{}", next.body);
    // A made-up choice is ignored (and not remembered).
    let bogus = app
        .send(client().get(format!("{}/l/languages?lang=%3Cscript%3E", app.address)))
        .await;
    assert!(bogus.body.contains("<html lang=\"en\">"));
    assert!(bogus.headers.get("set-cookie").is_none());

    // Pages the code words in English (not found) come in the reader's language too.
    let missing = get_in(&app, "/l/no-such-letter", "es").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("<html lang=\"es\">"));
    assert!(!missing.body.contains("Page not found"), "{}", missing.body);
}

#[tokio::test]
async fn a_failed_form_explains_itself_in_the_readers_language() {
    let app = spawn_app().await;
    app.open_letter("errores").await;
    let categories = app.categories("errores").await;
    let page = app
        .send(
            client()
                .post(format!("{}/l/errores/sign", app.address))
                .header("Accept-Language", "es")
                .form(&[
                    ("name", ""),
                    ("email", "not-an-address"),
                    ("category", categories[0].as_str()),
                    ("display", "public"),
                ]),
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("<html lang=\"es\">"));
    assert!(
        page.body.contains("Este campo es obligatorio."),
        "{}",
        page.body
    );
    assert!(!page.body.contains("This field is required."));
    assert!(!page.body.contains("Enter an email address like"));
    // Tied to the fields as in English.
    assert!(page.body.contains("aria-invalid=\"true\""));
}

#[tokio::test]
async fn a_letter_has_its_language_and_translations_with_one_count() {
    let app = spawn_app().await;
    let id = app.open_letter("carta").await;
    let languages = format!("/admin/letters/{id}/languages");
    let translations = format!("/admin/letters/{id}/translations");

    // The original is in Spanish: its text says so, and reads left to right.
    let set = send_languages(&app, &languages, &[("lang", "ES")]).await;
    assert_eq!(set.status, 303, "{}", set.body);
    let page = app.get("/l/carta").await;
    assert!(
        page.body.contains("<h1 lang=\"es\" dir=\"ltr\">"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<div class=\"body\" lang=\"es\" dir=\"ltr\">")
    );
    // No translation yet: no list of languages.
    assert!(!page.body.contains("text-languages"));

    // An Arabic translation reads right to left.
    let saved = send_languages(
        &app,
        &translations,
        &[
            ("lang", "ar"),
            ("title", "حققوا في الأكاديمية الآن"),
            ("subject", "بخصوص: تحقيق مستقل"),
            ("body", "نحن الموقعين أدناه نطلب منكم **اليوم**."),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let arabic = app.get("/l/carta?text=ar").await;
    assert_eq!(arabic.status, 200);
    assert!(
        arabic
            .body
            .contains("<h1 lang=\"ar\" dir=\"rtl\">حققوا في الأكاديمية الآن</h1>"),
        "{}",
        arabic.body
    );
    assert!(
        arabic
            .body
            .contains("<div class=\"body\" lang=\"ar\" dir=\"rtl\">")
    );
    assert!(arabic.body.contains("<strong>اليوم</strong>"));
    assert!(arabic.body.contains("This is a translation. The original text, in Español, is the one the signatures are counted on."));
    assert!(arabic.body.contains("href=\"/l/carta?text=es\""));
    // The interface stays in the reader's language around it.
    assert!(arabic.body.contains("<html lang=\"en\">"));

    // An English translation is what an English reader gets by default; a Spanish reader
    // gets the original.
    send_languages(
        &app,
        &translations,
        &[
            ("lang", "en"),
            ("title", "Investigate the academy now (translated)"),
            ("subject", "RE: An independent investigation"),
            ("body", "We ask you today."),
        ],
    )
    .await;
    let english = get_in(&app, "/l/carta", "en").await;
    assert!(
        english
            .body
            .contains("Investigate the academy now (translated)"),
        "{}",
        english.body
    );
    assert!(english.body.contains("<h1 lang=\"en\" dir=\"ltr\">"));
    let spanish = get_in(&app, "/l/carta", "es").await;
    assert!(
        spanish
            .body
            .contains("<h1 lang=\"es\" dir=\"ltr\">Investigate the academy now</h1>"),
        "{}",
        spanish.body
    );
    assert!(!spanish.body.contains("translation-note"));

    // One letter, one count: a signature made from any text counts for all.
    app.sign_and_confirm("carta", "Rosa Ejemplo", "rosa@example.org", "public")
        .await;
    for path in ["/l/carta?text=ar", "/l/carta?text=en", "/l/carta"] {
        let page = app.get(path).await;
        assert!(
            page.body.contains("data-log-size=\"1\">1</span>"),
            "{path}: {}",
            page.body
        );
    }
    let counts = app.get("/l/carta/counts.json").await;
    assert!(counts.body.contains("\"total\":1"), "{}", counts.body);

    // Editing a translation replaces it; the organisers' page lists both.
    let form = app.get(&format!("{languages}?edit=ar")).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("حققوا في الأكاديمية الآن"));
    assert!(form.body.contains("العربية"));

    // Bad input is refused with each field marked, nothing saved.
    let bad = send_languages(
        &app,
        &translations,
        &[
            ("lang", "español"),
            ("title", ""),
            ("subject", "x"),
            ("body", "y"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body
            .contains("Enter a language code like en, es, pt-BR or ar"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("aria-invalid=\"true\""));
    let huge = "a".repeat(200_001);
    let oversized = send_languages(
        &app,
        &translations,
        &[
            ("lang", "fr"),
            ("title", "t"),
            ("subject", "s"),
            ("body", &huge),
        ],
    )
    .await;
    assert!(
        oversized.status == 422 || oversized.status == 413,
        "{}",
        oversized.status
    );
    assert!(
        !app.get("/l/carta?text=fr")
            .await
            .body
            .contains("lang=\"fr\" dir")
    );
    // A translation in the original's language is refused; so is moving the original to a
    // language a translation has.
    let same = send_languages(
        &app,
        &translations,
        &[
            ("lang", "es"),
            ("title", "t"),
            ("subject", "s"),
            ("body", "b"),
        ],
    )
    .await;
    assert_eq!(same.status, 422);
    assert!(
        same.body
            .contains("This is the language of the original text.")
    );
    let clash = send_languages(&app, &languages, &[("lang", "ar")]).await;
    assert_eq!(clash.status, 409, "{}", clash.body);
    let bad_original = send_languages(&app, &languages, &[("lang", "1")]).await;
    assert_eq!(bad_original.status, 422);

    // Removing a translation takes it off the page; removing it twice is a 404.
    let delete = format!("/admin/letters/{id}/translations/ar/delete");
    assert_eq!(send_languages(&app, &delete, &[]).await.status, 303);
    let gone = app.get("/l/carta?text=ar").await;
    assert!(!gone.body.contains("dir=\"rtl\""), "{}", gone.body);
    assert_eq!(send_languages(&app, &delete, &[]).await.status, 404);

    // Without a login, or a token, nothing changes.
    let anonymous = client()
        .post(format!("{}{translations}", app.address))
        .form(&[
            ("lang", "fr"),
            ("title", "t"),
            ("subject", "s"),
            ("body", "b"),
        ]);
    let refused = app.send(anonymous).await;
    assert!(
        refused.status == 303 || refused.status == 403,
        "{}",
        refused.status
    );
    let no_csrf = app
        .post(
            &translations,
            &[
                ("lang", "fr"),
                ("title", "t"),
                ("subject", "s"),
                ("body", "b"),
            ],
        )
        .await;
    assert_eq!(no_csrf.status, 403, "{}", no_csrf.body);
    assert!(
        !app.get("/l/carta?text=fr")
            .await
            .body
            .contains("lang=\"fr\" dir")
    );

    // The audit passes over a letter read in three languages: one log.
    let log = app.get("/l/carta/log/checkpoint").await;
    assert_eq!(log.status, 200);
}
