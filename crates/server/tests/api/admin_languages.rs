//! The organiser pages in the organiser's language: chosen by the browser's
//! `Accept-Language`, or picked with `?lang=` (and then remembered), with English for
//! everything else. Forms that fail say what to fix in that language too.

use crate::helpers::*;

/// GET `path` as the logged-in test browser, asking for `language`.
async fn get_in(app: &TestApp, path: &str, language: &str) -> Page {
    app.send(
        app.client
            .get(app.url(path))
            .header(reqwest::header::ACCEPT_LANGUAGE, language),
    )
    .await
}

/// A letter form with a missing title, a bad address, no target and a category listed
/// twice, posted as the logged-in test browser (asking for `language`, if any).
async fn post_bad_letter(app: &TestApp, path: &str, language: Option<&str>) -> Page {
    let form = app.get("/admin/letters/new").await;
    let csrf = form.csrf();
    let workspace = hidden_value(&form.body, "workspace").unwrap_or_default();
    let fields = [
        ("csrf", csrf.as_str()),
        ("workspace", workspace.as_str()),
        ("title", ""),
        ("slug", "A!"),
        ("subject", "RE: An independent investigation"),
        ("body", "We ask you **today**."),
        ("targets", ""),
        ("categories", "Supporter\nsupporter"),
    ];
    let mut request = app.post_request(&app.client, path, &fields);
    if let Some(language) = language {
        request = request.header(reqwest::header::ACCEPT_LANGUAGE, language);
    }
    app.send(request).await
}

#[tokio::test]
async fn an_organiser_whose_browser_asks_for_spanish_gets_the_organiser_pages_in_spanish() {
    let app = spawn_app().await;
    app.set_up_owner().await;

    let dashboard = get_in(&app, "/admin", "es-ES,es;q=0.9,en;q=0.5").await;
    assert_eq!(dashboard.status, 200);
    assert!(
        dashboard.body.contains("<html lang=\"es\""),
        "{}",
        dashboard.body
    );
    for spanish in ["<h1>Cartas</h1>", "Nueva carta", "Tus espacios de trabajo"] {
        assert!(
            dashboard.body.contains(spanish),
            "{spanish}: {}",
            dashboard.body
        );
    }
    assert!(
        !dashboard.body.contains("Your workspaces"),
        "{}",
        dashboard.body
    );
    // The workspace's role is named in Spanish too.
    assert!(
        dashboard.body.contains("<strong>propietario</strong>"),
        "{}",
        dashboard.body
    );

    let form = get_in(&app, "/admin/letters/new", "es").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("<html lang=\"es\""));
    for spanish in [
        "<h1>Nueva carta</h1>",
        "Destinatarios",
        "Categorías de firmantes",
        "Guardar borrador",
        // The signer fields' choices are translated; the values sent stay the same.
        "<option value=\"optional\" selected>opcional</option>",
    ] {
        assert!(form.body.contains(spanish), "{spanish}: {}", form.body);
    }

    let failed = post_bad_letter(&app, "/admin/letters/new", Some("es")).await;
    assert_eq!(failed.status, 422, "{}", failed.body);
    assert!(failed.body.contains("<html lang=\"es\""));
    assert_eq!(
        field_error(&failed.body, "title").as_deref(),
        Some("Este campo es obligatorio.")
    );
    assert_eq!(
        field_error(&failed.body, "slug").as_deref(),
        Some("Usa de 3 a 64 caracteres: letras minúsculas, cifras y guiones sueltos.")
    );
    assert_eq!(
        field_error(&failed.body, "targets").as_deref(),
        Some("Escribe al menos un destinatario, uno por línea.")
    );
    assert_eq!(
        field_error(&failed.body, "categories").as_deref(),
        Some("Línea 2: «supporter» aparece dos veces.")
    );
    // What the organiser typed is kept.
    assert!(
        failed.body.contains("Supporter\nsupporter"),
        "{}",
        failed.body
    );

    // The same form, without a language asked for, is in English as before.
    let english = post_bad_letter(&app, "/admin/letters/new", None).await;
    assert_eq!(english.status, 422);
    assert!(english.body.contains("<html lang=\"en\""));
    assert_eq!(
        field_error(&english.body, "targets").as_deref(),
        Some("Name at least one target, one a line.")
    );
    assert_eq!(
        field_error(&english.body, "categories").as_deref(),
        Some("Line 2: “supporter” is listed twice.")
    );
}

#[tokio::test]
async fn an_organiser_who_picks_french_gets_the_organiser_pages_in_french_from_then_on() {
    let app = spawn_app().await;
    app.set_up_owner().await;

    // Picked with the switcher: the page answers in French and remembers it.
    let dashboard = app.get("/admin?lang=fr").await;
    assert_eq!(dashboard.status, 200);
    assert!(
        dashboard.body.contains("<html lang=\"fr\""),
        "{}",
        dashboard.body
    );
    for french in [
        "<h1>Lettres</h1>",
        "Nouvelle lettre",
        "Vos espaces de travail",
    ] {
        assert!(
            dashboard.body.contains(french),
            "{french}: {}",
            dashboard.body
        );
    }
    assert!(
        dashboard
            .cookie("us_lang")
            .is_some_and(|c| c == "us_lang=fr")
    );

    // The next pages stay in French, even though the browser asks for English.
    let form = get_in(&app, "/admin/letters/new", "en").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("<html lang=\"fr\""));
    for french in [
        "<h1>Nouvelle lettre</h1>",
        "Destinataires",
        "Catégories de signataires",
        "Enregistrer le brouillon",
    ] {
        assert!(form.body.contains(french), "{french}: {}", form.body);
    }

    let failed = post_bad_letter(&app, "/admin/letters/new", Some("en")).await;
    assert_eq!(failed.status, 422, "{}", failed.body);
    assert!(failed.body.contains("<html lang=\"fr\""));
    assert_eq!(
        field_error(&failed.body, "title").as_deref(),
        Some("Ce champ est obligatoire.")
    );
    assert_eq!(
        field_error(&failed.body, "targets").as_deref(),
        Some("Indiquez au moins un destinataire, un par ligne.")
    );
    assert_eq!(
        field_error(&failed.body, "categories").as_deref(),
        Some("Ligne 2 : « supporter » figure deux fois.")
    );

    // A letter saved in French shows its page and its states in French.
    let fields = letter_fields("en-francais");
    let id = app.create_letter(&app.client, &as_form(&fields)).await;
    let letter = app.get(&format!("/admin/letters/{id}")).await;
    assert_eq!(letter.status, 200);
    for french in [
        ">brouillon</span>",
        "votre rôle : propriétaire",
        "Champs des signataires",
        "Ville : facultatif",
    ] {
        assert!(letter.body.contains(french), "{french}: {}", letter.body);
    }
}

#[tokio::test]
async fn organiser_pages_without_a_language_asked_for_stay_in_english() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    // German is not one of the interface's languages.
    let dashboard = get_in(&app, "/admin", "de-DE,de;q=0.9").await;
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.body.contains("<html lang=\"en\""));
    assert!(dashboard.body.contains("Your workspaces"));
    assert!(dashboard.body.contains("<strong>owner</strong>"));
}
