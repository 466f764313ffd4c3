//! Embeds and sharing: the card other sites frame, embed.js, the share card picture, the
//! link preview tags and the share prompt after confirming.

use crate::helpers::*;
use undersigned_testkit::fixtures::{as_form, letter_fields};

fn header<'a>(page: &'a Page, name: &str) -> Option<&'a str> {
    page.headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn the_embed_may_be_framed_by_any_site_and_the_letter_page_may_not() {
    let app = spawn_app().await;
    app.open_letter("framed").await;
    app.sign_and_confirm("framed", "Ada Framewright", "ada@example.org", "public")
        .await;

    let embed = app.send(client().get(app.url("/l/framed/embed"))).await;
    assert_eq!(embed.status, 200);
    let policy = header(&embed, "content-security-policy").unwrap();
    assert!(policy.contains("frame-ancestors *"), "{policy}");
    assert!(!policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(embed.headers.get("x-frame-options").is_none());
    // The count, and a button that opens the letter in a new tab; no form.
    assert!(
        embed
            .body
            .contains("<strong data-count=\"total\">1</strong>")
    );
    assert!(embed.body.contains("confirmed signature<"));
    assert!(embed.body.contains("target=\"_blank\""));
    assert!(embed.body.contains("Sign this letter"));
    assert!(!embed.body.contains("<form"));
    assert!(embed.body.contains("/static/embed-frame.js"));

    let letter = app.get("/l/framed").await;
    assert_eq!(letter.status, 200);
    assert_eq!(header(&letter, "x-frame-options"), Some("DENY"));
    assert!(
        header(&letter, "content-security-policy")
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    app.stop().await;
}

#[tokio::test]
async fn the_embed_with_the_form_signs_from_another_site_in_a_new_tab() {
    let app = spawn_app().await;
    app.open_letter("embedded").await;
    let embed = app
        .send(client().get(app.url("/l/embedded/embed?form=1")))
        .await;
    assert_eq!(embed.status, 200);
    assert!(
        embed
            .body
            .contains("action=\"/l/embedded/sign#sign\" target=\"_blank\"")
    );
    assert!(embed.body.contains("name=\"email\""));
    let categories = radio_values(&embed.body, "category");
    assert!(!categories.is_empty());

    // The form posted from a frame on a partner's site (whatever Origin the browser sends).
    let signed = app
        .send(
            client()
                .post(app.url("/l/embedded/sign"))
                .header("origin", "https://partner.example")
                .header("sec-fetch-site", "cross-site")
                .form(&[
                    ("name", "Bea Partnersite"),
                    ("email", "bea@example.org"),
                    ("category", categories[0].as_str()),
                    ("display", "public"),
                ]),
        )
        .await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    assert_eq!(signed.location.as_deref(), Some("/l/embedded/check-email"));
    let message = app.mail.wait_for_to("bea@example.org", 1).await;
    let confirm = app.confirm_path(&message);
    let confirmed = app.post_with(&client(), &confirm, &[]).await;
    assert_eq!(confirmed.status, 200);

    // A form with a mistake is shown again, in the tab the form opened, with the error.
    let wrong = app
        .send(
            client()
                .post(app.url("/l/embedded/sign"))
                .header("origin", "https://partner.example")
                .form(&[("name", "Bea Partnersite"), ("email", "not an address")]),
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(field_error(&wrong.body, "email").is_some());

    // Organiser forms still refuse other sites.
    let csrf = app.organiser_csrf(&app.client).await;
    let close = app
        .send(
            app.client
                .post(app.url("/admin/letters/1/close"))
                .header("origin", "https://partner.example")
                .form(&[("csrf", &csrf)]),
        )
        .await;
    assert_eq!(close.status, 403);
    app.stop().await;
}

#[tokio::test]
async fn the_share_prompt_follows_confirming() {
    let app = spawn_app().await;
    app.open_letter("shared").await;
    let path = app
        .sign_pending("shared", "Cy Sharer", "cy@example.org")
        .await;
    let confirmed = app.post_with(&client(), &path, &[]).await;
    assert_eq!(confirmed.status, 200);
    let url = format!("{}/l/shared", app.address);
    assert!(confirmed.body.contains("Ask others to sign"));
    assert!(
        confirmed
            .body
            .contains(&format!("value=\"{url}\" readonly"))
    );
    assert!(
        confirmed
            .body
            .contains("href=\"mailto:?subject=Sign%20this%20open%20letter")
    );
    assert!(confirmed.body.contains("data-share-native hidden"));
    assert!(confirmed.body.contains("/static/share.js"));
    let script = app.send(client().get(app.url("/static/share.js"))).await;
    assert_eq!(script.status, 200);
    assert!(
        header(&script, "content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_or_draft_letter_has_no_embed_and_no_card() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let fields = letter_fields("still-a-draft");
    app.create_letter(&app.client, &as_form(&fields)).await;
    for path in [
        "/l/no-such-letter/embed",
        "/l/no-such-letter/card.png",
        "/l/still-a-draft/embed",
        "/l/still-a-draft/embed?form=1",
        "/l/still-a-draft/card.png",
    ] {
        let page = app.send(client().get(app.url(path))).await;
        assert_eq!(page.status, 404, "{path}");
        assert_eq!(header(&page, "x-frame-options"), Some("DENY"), "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_closed_letter_embed_says_so_without_a_form() {
    let app = spawn_app().await;
    let id = app.open_letter("closed-embed").await;
    assert_eq!(app.close(&app.client, id).await.status, 303);
    let embed = app
        .send(client().get(app.url("/l/closed-embed/embed?form=1")))
        .await;
    assert_eq!(embed.status, 200);
    assert!(embed.body.contains("This letter is not taking signatures."));
    assert!(!embed.body.contains("<form"));
    app.stop().await;
}

#[tokio::test]
async fn the_share_card_is_a_1200_by_630_png_with_an_entity_tag() {
    let app = spawn_app().await;
    app.open_letter("carded").await;
    let get = || async {
        client()
            .get(app.url("/l/carded/card.png"))
            .send()
            .await
            .unwrap()
    };
    let response = get().await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let png = response.bytes().await.unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&png[12..16], b"IHDR");
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 1200);
    assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 630);
    let decoded = image::load_from_memory(&png).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (1200, 630));

    let again = client()
        .get(app.url("/l/carded/card.png"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);

    // A new signature changes the count, so the card and its tag.
    app.sign_and_confirm("carded", "Dee Counter", "dee@example.org", "private")
        .await;
    let changed = client()
        .get(app.url("/l/carded/card.png"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
    app.stop().await;
}

#[tokio::test]
async fn the_letter_page_has_link_preview_tags_with_an_absolute_image() {
    let app = spawn_app().await;
    app.open_letter("previewed").await;
    let page = app.get("/l/previewed").await;
    let base = app.address.clone();
    assert!(base.starts_with("http://") || base.starts_with("https://"));
    for tag in [
        format!("<meta property=\"og:image\" content=\"{base}/l/previewed/card.png\">"),
        format!("<meta property=\"og:url\" content=\"{base}/l/previewed\">"),
        "<meta name=\"twitter:card\" content=\"summary_large_image\">".to_owned(),
        "<meta property=\"og:title\" content=\"".to_owned(),
        "<meta property=\"og:description\" content=\"".to_owned(),
    ] {
        assert!(page.body.contains(&tag), "{tag}");
    }
    app.stop().await;
}

#[tokio::test]
async fn embed_js_is_served_as_javascript_and_the_organiser_page_shows_the_snippet() {
    let app = spawn_app().await;
    let id = app.open_letter("snippet").await;
    let script = app.send(client().get(app.url("/embed.js"))).await;
    assert_eq!(script.status, 200);
    assert!(
        header(&script, "content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(script.body.contains("postMessage") || script.body.contains("message"));
    let frame = app
        .send(client().get(app.url("/static/embed-frame.js")))
        .await;
    assert_eq!(frame.status, 200);

    let admin = app.get(&format!("/admin/letters/{id}")).await;
    assert_eq!(admin.status, 200);
    assert!(
        admin
            .body
            .contains("/embed.js&#34; data-letter=&#34;snippet&#34;")
            || admin
                .body
                .contains("/embed.js&quot; data-letter=&quot;snippet&quot;"),
        "{}",
        admin.body
    );
    // Anonymous visitors do not get the organiser's page.
    let anonymous = app
        .send(client().get(app.url(&format!("/admin/letters/{id}"))))
        .await;
    assert_ne!(anonymous.status, 200);
    app.stop().await;
}
