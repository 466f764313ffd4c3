//! The letter page and counts.json are rendered once per change and served with an entity
//! tag: a client that has the current bytes gets 304, and a change shows at once on the
//! process that committed it.

use crate::helpers::*;

/// GETs `path` with `If-None-Match: etag`.
async fn revalidate(app: &TestApp, path: &str, etag: &str) -> Page {
    app.send(client().get(app.url(path)).header("if-none-match", etag))
        .await
}

fn etag(page: &Page) -> String {
    page.headers
        .get("etag")
        .expect("an entity tag")
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_letter_page_and_its_counts_carry_a_tag_that_changes_with_them() {
    let app = spawn_app().await;
    app.open_letter("tagged").await;
    for path in ["/l/tagged", "/l/tagged/counts.json"] {
        let first = app.get(path).await;
        assert_eq!(first.status, 200, "{path}");
        let tag = etag(&first);
        assert_eq!(
            app.get(path).await.body,
            first.body,
            "{path}: the same bytes"
        );
        let again = revalidate(&app, path, &tag).await;
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
        assert_eq!(etag(&again), tag);
        // A weak form of the tag, or a list holding it, matches too; another tag does not.
        assert_eq!(
            revalidate(&app, path, &format!("\"x\", W/{tag}"))
                .await
                .status,
            304
        );
        assert_eq!(revalidate(&app, path, "\"not-it\"").await.status, 200);
    }
    let page_tag = etag(&app.get("/l/tagged").await);
    let counts_tag = etag(&app.get("/l/tagged/counts.json").await);
    assert_eq!(
        app.get("/l/tagged/counts.json")
            .await
            .headers
            .get("content-type")
            .unwrap(),
        "application/json"
    );

    // A confirmed signature shows at once: new bytes, new tags.
    app.sign_and_confirm("tagged", "Tamsin Orrery", "tamsin@example.org", "public")
        .await;
    let page = revalidate(&app, "/l/tagged", &page_tag).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Tamsin Orrery"));
    assert_ne!(etag(&page), page_tag);
    let counts = revalidate(&app, "/l/tagged/counts.json", &counts_tag).await;
    assert_eq!(counts.status, 200);
    assert!(counts.body.contains("\"total\":1"), "{}", counts.body);

    // Other pages of the list are not the cached one, and the form with errors is rendered
    // for its signer alone.
    let older = app.get("/l/tagged?before=0").await;
    assert_eq!(older.status, 200);
    assert!(!older.body.contains("Tamsin Orrery"));
    assert!(older.body.contains("No more signatories."));
    let refused = app.sign("tagged", &[("name", "")]).await;
    assert_eq!(refused.status, 422);
    assert!(!app.get("/l/tagged").await.body.contains("field has-error"));
    app.stop().await;
}

/// The edge answers `counts.json` from its rendered bytes once they are ready, before
/// routing; what it answers must be what the handler answers, and anything it cannot answer
/// must reach the router.
#[tokio::test]
async fn counts_from_the_ready_bytes_answer_as_the_handler_does() {
    let app = spawn_app().await;
    let id = app.open_letter("ready").await;
    // The first request renders the counts (the handler); the next ones find them ready.
    let rendered = app.get("/l/ready/counts.json").await;
    let ready = app.get("/l/ready/counts.json").await;
    assert_eq!(rendered.status, 200);
    assert_eq!(ready.status, 200);
    assert_eq!(ready.body, rendered.body);
    for name in [
        "content-type",
        "cache-control",
        "etag",
        "content-security-policy",
        "x-frame-options",
        "x-content-type-options",
        "referrer-policy",
        "vary",
    ] {
        assert_eq!(
            ready.headers.get(name),
            rendered.headers.get(name),
            "{name}"
        );
    }
    assert_eq!(ready.headers["cache-control"], "public, max-age=5");
    // A query changes nothing; revalidating gets 304.
    let queried = app.get("/l/ready/counts.json?callback=x").await;
    assert_eq!((queried.status, &queried.body), (ready.status, &ready.body));
    let unchanged = revalidate(&app, "/l/ready/counts.json", &etag(&ready)).await;
    assert_eq!(unchanged.status, 304);

    // What the bytes cannot answer goes to the router, as it did before.
    let head = app
        .send(client().head(app.url("/l/ready/counts.json")))
        .await;
    assert_eq!(head.status, 200);
    assert_eq!(head.headers["etag"], ready.headers["etag"]);
    let post = app.post("/l/ready/counts.json", &[("total", "9")]).await;
    assert_eq!(post.status, 405);
    for path in [
        "/l/READY/counts.json",
        "/l/ready/x/counts.json",
        "/l//counts.json",
        "/l/nowhere/counts.json",
    ] {
        assert_eq!(app.get(path).await.status, 404, "{path}");
    }
    // A draft's counts are nobody's business, before and after a look at them.
    let client = &app.client;
    let draft = app
        .create_letter(client, &as_form(&letter_fields("unpublished")))
        .await;
    assert!(draft > 0);
    for _ in 0..2 {
        assert_eq!(app.get("/l/unpublished/counts.json").await.status, 404);
    }

    // A change shows at once, on the next request: the letter closed, a signature in.
    app.sign_and_confirm("ready", "Ilse Marrow", "ilse@example.org", "public")
        .await;
    assert_eq!(app.close(client, id).await.status, 303);
    let after = app.get("/l/ready/counts.json").await;
    assert_eq!(after.status, 200);
    assert!(after.body.contains("\"total\":1"), "{}", after.body);
    assert_ne!(etag(&after), etag(&ready));
    assert_eq!(app.get("/l/ready/counts.json").await.body, after.body);
    app.stop().await;
}
