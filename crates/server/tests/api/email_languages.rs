//! Emails in the recipient's language, and the organiser sign-in pages in the visitor's:
//! a signer gets their confirmation email in the language they signed in (Spanish, French,
//! else English), and later updates in that language too; the login page and its errors
//! follow `?lang=`.

use reqwest::header::ACCEPT_LANGUAGE;
use undersigned_store::sealed::Field;

use crate::helpers::*;

/// Signs the letter `slug` as a fresh browser that asks for `lang` (no header when None),
/// ticking "Email me updates" when `updates`; returns the email that answers.
pub(crate) async fn sign_in_language(
    app: &TestApp,
    slug: &str,
    name: &str,
    email: &str,
    lang: Option<&str>,
    updates: bool,
) -> Captured {
    let before = app.mail.to(email).len();
    let categories = app.categories(slug).await;
    let mut form = vec![
        ("name", name),
        ("email", email),
        ("category", categories[0].as_str()),
        ("display", "public"),
    ];
    if updates {
        form.push(("updates", "on"));
    }
    let mut request = app.post_request(&client(), &format!("/l/{slug}/sign"), &form);
    if let Some(lang) = lang {
        request = request.header(ACCEPT_LANGUAGE, lang);
    }
    let page = app.send(request).await;
    assert_eq!(page.status, 303, "{}", page.body);
    app.mail.wait_for_to(email, before + 1).await
}

#[tokio::test]
async fn signers_get_their_confirmation_email_in_the_language_they_signed_in() {
    let app = spawn_app().await;
    let slug = "languages-confirm";
    app.open_letter(slug).await;

    let spanish = sign_in_language(
        &app,
        slug,
        "Rosa Ejemplo",
        "rosa@example.org",
        Some("es-ES,es;q=0.9,en;q=0.5"),
        false,
    )
    .await;
    assert!(
        spanish.subject().starts_with("Confirma tu firma: "),
        "{}",
        spanish.subject()
    );
    let text = spanish.text();
    assert!(text.starts_with("Hola:"), "{text}");
    assert!(
        text.contains(
            "Para confirmar tu firma, abre este enlace y pulsa el botón «Confirmar mi firma»:"
        ),
        "{text}"
    );
    assert!(!text.contains("Someone, probably you"), "{text}");
    let html = spanish.html();
    assert!(html.contains("<html lang=\"es\">"), "{html}");
    assert!(html.contains(">Confirmar mi firma</a>"), "{html}");
    // The link still works: the language changes the words, not the flow.
    let confirmed = app
        .post_with(&client(), &app.confirm_path(&spanish), &[])
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);

    let french = sign_in_language(
        &app,
        slug,
        "Jeanne Exemple",
        "jeanne@example.org",
        Some("fr-CA"),
        false,
    )
    .await;
    assert!(
        french
            .subject()
            .starts_with("Confirmez votre signature\u{a0}: "),
        "{}",
        french.subject()
    );
    let text = french.text();
    assert!(text.starts_with("Bonjour,"), "{text}");
    assert!(
        text.contains("Quelqu'un, sans doute vous, a signé la lettre ouverte"),
        "{text}"
    );
    assert!(french.html().contains("<html lang=\"fr\">"));

    // No header, or a language we do not have: English, as before.
    let english = sign_in_language(&app, slug, "Ada Example", "ada@example.org", None, false).await;
    assert!(
        english.subject().starts_with("Confirm your signature: "),
        "{}",
        english.subject()
    );
    assert!(
        english
            .text()
            .contains("To confirm your signature, open this link and press the \"Confirm my signature\" button:"),
        "{}",
        english.text()
    );
    assert!(english.html().contains("<html lang=\"en\">"));
    let german = sign_in_language(
        &app,
        slug,
        "Bo Beispiel",
        "bo@example.org",
        Some("de"),
        false,
    )
    .await;
    assert!(german.subject().starts_with("Confirm your signature: "));

    // Signing again with a confirmed address: the "already signed" email, in the language
    // of the new request.
    app.forget_email_throttle().await;
    let again = sign_in_language(
        &app,
        slug,
        "Rosa Ejemplo",
        "rosa@example.org",
        Some("fr"),
        false,
    )
    .await;
    assert!(
        again.subject().starts_with("Vous avez déjà signé"),
        "{}",
        again.subject()
    );
}

#[tokio::test]
async fn an_update_reaches_each_signer_in_the_language_they_signed_in() {
    let app = spawn_app().await;
    let slug = "languages-updates";
    let id = app.open_letter(slug).await;
    for (name, email, lang) in [
        ("Rosa Ejemplo", "rosa@example.org", Some("es")),
        ("Ada Example", "ada@example.org", None),
        ("Jeanne Exemple", "jeanne@example.org", Some("fr")),
        ("Bruno Ejemplo", "bruno@example.org", Some("es")),
    ] {
        let message = sign_in_language(&app, slug, name, email, lang, true).await;
        let confirmed = app
            .post_with(&client(), &app.confirm_path(&message), &[])
            .await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    }

    // The language each signed in is stored sealed, as their other personal data is (in a
    // survivors' letter it can say something about them): never the tag in clear, the
    // length of a sealed value, opening only as a language.
    let db = app.db().await;
    let stored: Vec<Option<Vec<u8>>> =
        sqlx::query_scalar("SELECT lang FROM signatures WHERE letter_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&db)
            .await
            .unwrap();
    let keyring = app.keyring();
    assert_eq!(stored.len(), 4);
    for (stored, lang) in stored.iter().zip(["es", "en", "fr", "es"]) {
        let stored = stored.as_deref().expect("a stored language");
        assert_ne!(stored, lang.as_bytes(), "{lang} is stored in clear");
        assert_eq!(stored.len(), keyring.sealed_len(lang), "{lang}");
        assert_eq!(keyring.open(Field::Lang, stored).unwrap(), lang);
        assert!(keyring.open(Field::Email, stored).is_err(), "{lang}");
    }
    // A language that does not open (here Bruno's, replaced by a value sealed for another
    // field) is English, as no language is: his email still goes.
    sqlx::query(
        "UPDATE signatures SET lang = email
         WHERE id = (SELECT MAX(id) FROM signatures WHERE letter_id = $1)",
    )
    .bind(id)
    .execute(&db)
    .await
    .unwrap();
    db.close().await;

    let csrf = app.organiser_csrf(&app.client).await;
    let posted = app
        .post(
            &format!("/admin/letters/{id}/updates"),
            &[
                ("csrf", &csrf),
                ("title", "Charges filed"),
                ("body", "The prosecutor **filed charges** today."),
                ("sources", ""),
            ],
        )
        .await;
    assert_eq!(posted.status, 303, "{}", posted.body);

    // Each signer's first email was the confirmation; the second is the update.
    let wait = |address: &'static str| app.mail.wait_for_to(address, 2);
    let spanish = wait("rosa@example.org").await;
    assert_eq!(
        spanish.subject(),
        "Novedad: Charges filed (Investigate the academy now)",
        "{}",
        spanish.subject()
    );
    let text = spanish.text();
    assert!(
        text.contains("Hay novedades sobre la carta abierta"),
        "{text}"
    );
    // The organisers' words stay as they wrote them.
    assert!(
        text.contains("The prosecutor **filed charges** today."),
        "{text}"
    );
    assert!(
        text.contains("Para dejar de recibir estos correos, abre esta página y pulsa su botón: "),
        "{text}"
    );
    assert!(spanish.html().contains("<html lang=\"es\">"));

    let english = wait("ada@example.org").await;
    assert!(
        english.subject().starts_with("Update: Charges filed ("),
        "{}",
        english.subject()
    );
    assert!(
        english
            .text()
            .contains("There is news about the open letter"),
        "{}",
        english.text()
    );

    let french = wait("jeanne@example.org").await;
    assert!(
        french
            .subject()
            .starts_with("Actualité\u{a0}: Charges filed ("),
        "{}",
        french.subject()
    );
    assert!(
        french
            .text()
            .contains("Il y a du nouveau au sujet de la lettre ouverte")
    );

    let damaged = wait("bruno@example.org").await;
    assert!(
        damaged.subject().starts_with("Update: Charges filed ("),
        "{}",
        damaged.subject()
    );
    assert!(damaged.html().contains("<html lang=\"en\">"));
}

#[tokio::test]
async fn the_login_page_and_its_errors_follow_the_language_asked_for() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let browser = client();

    let page = app.get_with(&browser, "/login?lang=fr").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<html lang=\"fr\">"), "{}", page.body);
    assert!(
        page.body.contains("Connexion des organisateurs"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Mot de passe oublié"), "{}", page.body);
    assert!(
        !page.body.contains("Forgot your password?"),
        "{}",
        page.body
    );

    // The choice is remembered: the failed login's answer is in French too.
    let csrf = page.csrf();
    let failed = app
        .post_with(
            &browser,
            "/login",
            &[
                ("csrf", &csrf),
                ("email", OWNER_EMAIL),
                ("password", "not the password at all"),
                ("next", "/admin"),
            ],
        )
        .await;
    assert_eq!(failed.status, 401, "{}", failed.body);
    assert!(
        failed.body.contains("<html lang=\"fr\">"),
        "{}",
        failed.body
    );
    let error = field_error(&failed.body, "email").unwrap_or_default();
    assert!(
        error.contains("adresse e-mail ou le mot de passe est incorrect."),
        "{}",
        failed.body
    );

    // Without a choice, the browser's language; else English, as before.
    let spanish = app
        .send(
            undersigned_testkit::plain_client()
                .get(format!("{}/login", app.local))
                .header(ACCEPT_LANGUAGE, "es"),
        )
        .await;
    assert!(spanish.body.contains("<html lang=\"es\">"));
    assert!(
        spanish.body.contains("¿Has olvidado tu contraseña?"),
        "{}",
        spanish.body
    );
    let english = app.get_with(&client(), "/login").await;
    assert!(english.body.contains("<html lang=\"en\">"));
    assert!(english.body.contains("Organiser login"));
    assert!(english.body.contains("Forgot your password?"));
}
