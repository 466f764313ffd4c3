//! The same mailbox signing a letter again: the same page as a new signer, a different email,
//! never a second count, and at most one email per signature in the throttle's window.

use crate::helpers::*;

/// Sends a sign-up for `slug` and returns at once, so that several are in flight together
/// (and the writer may take them into one batch, or into batches side by side).
fn sign_in_flight(
    app: &TestApp,
    slug: &str,
    name: &str,
    email: &str,
    category: &str,
) -> tokio::task::JoinHandle<reqwest::StatusCode> {
    let request = client()
        .post(app.url(&format!("/l/{slug}/sign")))
        .header("origin", &app.address)
        .form(&[
            ("name", name),
            ("email", email),
            ("category", category),
            ("display", "public"),
        ]);
    tokio::spawn(async move { request.send().await.unwrap().status() })
}

#[tokio::test]
async fn signing_twice_quickly_sends_one_email_and_shows_the_same_page() {
    let app = spawn_app().await;
    app.open_letter("twice").await;

    let first = app
        .sign_as("twice", "Mirelle Dunstable", "mirelle@example.org")
        .await;
    let second = app
        .sign_as("twice", "Mirelle Dunstable", "mirelle@example.org")
        .await;
    let third = app
        .sign_as("twice", "Mirelle Dunstable", "MIRELLE@example.org")
        .await;
    for page in [&first, &second, &third] {
        assert_eq!(page.status, 303, "{}", page.body);
        assert_eq!(page.location.as_deref(), Some("/l/twice/check-email"));
    }

    app.mail_barrier("twice").await;
    assert_eq!(
        app.mail.to("mirelle@example.org").len(),
        1,
        "the throttle lets one email through"
    );
    assert_eq!(app.total("twice").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn many_concurrent_signatures_from_one_mailbox_make_one_signer() {
    let app = spawn_app().await;
    let id = app.open_letter("stampede").await;
    let categories = app.categories("stampede").await;
    // All in flight at once, so that the writer may take several in one batch.
    let signs: Vec<_> = (0..10)
        .map(|i| {
            let email = if i % 2 == 0 {
                "stampede@example.org"
            } else {
                "Stampede@Example.org"
            };
            sign_in_flight(
                &app,
                "stampede",
                &format!("Stampede Signer{i}"),
                email,
                &categories[0],
            )
        })
        .collect();
    for sign in signs {
        assert_eq!(sign.await.unwrap(), 303);
    }
    app.mail_barrier("stampede").await;
    let mine = app.mail.to("stampede@example.org");
    assert_eq!(mine.len(), 1);
    let confirmed = app.post(&app.confirm_path(&mine[0]), &[]).await;
    assert_eq!(confirmed.status, 200);
    assert_eq!(app.total("stampede").await, 1);
    let list = app.get(&format!("/admin/letters/{id}/signatures")).await;
    assert_eq!(list.body.matches("Stampede Signer").count(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_pending_signer_who_signs_again_gets_a_fresh_link_for_the_first_submission() {
    let app = spawn_app().await;
    let id = app.open_letter("pending-again").await;
    let old_link = app
        .sign_pending(
            "pending-again",
            "Perpetua Lindqvist",
            "perpetua@example.org",
        )
        .await;

    app.forget_email_throttle().await;
    let page = app
        .sign_as(
            "pending-again",
            "Someone Else Entirely",
            "Perpetua@EXAMPLE.org",
        )
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(
        page.location.as_deref(),
        Some("/l/pending-again/check-email")
    );

    let second = app.mail.wait_for_to("perpetua@example.org", 2).await;
    assert!(second.subject().contains("Confirm your signature"));
    let new_link = app.confirm_path(&second);
    assert_ne!(new_link, old_link, "a fresh link");
    let shown = app.get(&new_link).await;
    assert!(shown.body.contains("Perpetua Lindqvist"), "{}", shown.body);
    assert!(!shown.body.contains("Someone Else"));

    let confirmed = app.post(&new_link, &[]).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert_eq!(app.total("pending-again").await, 1);
    // Confirming spent every link sent for this signature.
    let old = app.post(&old_link, &[]).await;
    assert_eq!(old.status, 409);
    assert_eq!(app.total("pending-again").await, 1);

    // Whichever link is confirmed publishes the submission the signature was made with.
    let list = app.get(&format!("/admin/letters/{id}/signatures")).await;
    assert!(list.body.contains("Perpetua Lindqvist"));
    assert!(!list.body.contains("Someone Else Entirely"));
    app.stop().await;
}

/// The swap: someone who knows a private signer's address posts the form again, with the
/// display level, name and comment of their choice. The signer's next email must not
/// publish any of it.
#[tokio::test]
async fn posting_the_form_again_cannot_change_what_a_pending_signature_publishes() {
    let app = spawn_app().await;
    let id = app.open_letter("swap").await;
    let categories = app.categories("swap").await;
    let signed = app
        .sign(
            "swap",
            &[
                ("name", "Wenna Trefusis"),
                ("email", "wenna@example.org"),
                ("category", &categories[1]),
                ("display", "private"),
                ("city", "Port Averly"),
            ],
        )
        .await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    app.mail.wait_for_to("wenna@example.org", 1).await;

    // After the back-off, the attacker's version.
    app.forget_email_throttle().await;
    let swapped = app
        .sign(
            "swap",
            &[
                ("name", "Wenna Trefusis Outed"),
                ("email", "wenna@example.org"),
                ("category", &categories[0]),
                ("display", "public"),
                ("city", "Swapmarker City"),
                ("comment", "Swapmarker comment"),
            ],
        )
        .await;
    assert_eq!(swapped.status, 303, "the same page as for anyone");

    // The signer gets a second email and, trusting it, confirms.
    let second = app.mail.wait_for_to("wenna@example.org", 2).await;
    let link = app.confirm_path(&second);
    let shown = app.get(&link).await;
    assert!(
        shown.body.contains("your name is never shown"),
        "{}",
        shown.body
    );
    assert!(!shown.body.contains("Swapmarker"));
    let confirmed = app.post(&link, &[]).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);

    let counts = app.counts("swap").await;
    assert_eq!(counts["total"], 1);
    let page = app.get("/l/swap").await;
    let signatories = app.get("/l/swap/signatories.json").await;
    for surface in [&page.body, &signatories.body] {
        assert!(!surface.contains("Wenna"), "published as private");
        assert!(!surface.contains("Swapmarker"));
    }
    let list = app.get(&format!("/admin/letters/{id}/signatures")).await;
    assert!(list.body.contains("Port Averly"), "the signer's own values");
    assert!(!list.body.contains("Swapmarker"));
    assert!(!list.body.contains("Outed"));
    app.stop().await;
}

#[tokio::test]
async fn a_link_for_someone_elses_submission_is_discarded_and_the_owner_signs_their_own() {
    // Someone signs with another person's address and chooses to show a name; the owner of
    // the address signs later as private. Their email carries the first submission (posting
    // the form again changes nothing), which the confirmation page shows: they discard it,
    // and sign again with their own choices.
    let app = spawn_app().await;
    app.open_letter("whose-form").await;
    let categories = app.categories("whose-form").await;
    let first = app
        .sign(
            "whose-form",
            &[
                ("name", "Impostor Quayle"),
                ("email", "orla@example.org"),
                ("category", &categories[1]),
                ("display", "public"),
            ],
        )
        .await;
    assert_eq!(first.status, 303);
    let impostor_link = app.confirm_path(&app.mail.wait_for_to("orla@example.org", 1).await);
    app.forget_email_throttle().await;
    let own = [
        ("name", "Orla Fenwright"),
        ("email", "orla@example.org"),
        ("category", categories[0].as_str()),
        ("display", "private"),
    ];
    assert_eq!(app.sign("whose-form", &own).await.status, 303);
    let second_link = app.confirm_path(&app.mail.wait_for_to("orla@example.org", 2).await);

    let page = app.get(&second_link).await;
    assert!(
        page.body.contains("Impostor Quayle"),
        "the page shows what would be published"
    );
    assert!(page.body.contains("Discard this submission"));
    let discarded = app.post(&format!("{second_link}/discard"), &[]).await;
    assert_eq!(discarded.status, 200, "{}", discarded.body);
    assert!(discarded.body.contains("nothing of it is kept"));
    // Every link of the discarded submission is gone.
    for link in [&impostor_link, &second_link] {
        assert_eq!(app.post(link, &[]).await.status, 404);
        assert_eq!(app.post(&format!("{link}/discard"), &[]).await.status, 404);
    }
    assert_eq!(app.total("whose-form").await, 0);

    // Signing again is a new signature: its link carries Orla's own choices.
    assert_eq!(app.sign("whose-form", &own).await.status, 303);
    let own_link = app.confirm_path(&app.mail.wait_for_to("orla@example.org", 3).await);
    let own_page = app.get(&own_link).await;
    assert!(own_page.body.contains("your name is never shown"));
    assert!(!own_page.body.contains("Impostor"));
    assert_eq!(app.post(&own_link, &[]).await.status, 200);
    let counts = app.counts("whose-form").await;
    assert_eq!(counts["total"], 1);
    assert_eq!(
        counts["by_category"]["Organisation"], 1,
        "the owner's category"
    );
    let page = app.get("/l/whose-form").await;
    assert!(!page.body.contains("Impostor"));
    assert!(!page.body.contains("Orla"));

    // A confirmed signature cannot be discarded with its link (withdrawing is the way), and
    // a made-up link is unknown.
    let refused = app.post(&format!("{own_link}/discard"), &[]).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(app.total("whose-form").await, 1);
    let unknown = app.post("/confirm/not-a-token/discard", &[]).await;
    assert_eq!(unknown.status, 404);
    // Discarding changes something, so it is never a GET.
    assert_eq!(app.get(&format!("{own_link}/discard")).await.status, 405);
    app.stop().await;
}

#[tokio::test]
async fn a_confirmed_signer_who_signs_again_is_told_and_not_counted_twice() {
    let app = spawn_app().await;
    let id = app.open_letter("confirmed-again").await;
    app.sign_and_confirm(
        "confirmed-again",
        "Cassius Wendlebury",
        "cassius@example.org",
        "public",
    )
    .await;
    assert_eq!(app.total("confirmed-again").await, 1);

    // Straight away: the throttle holds the email back, the page is the same.
    let page = app
        .sign_as("confirmed-again", "Cassius W", "cassius@example.org")
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(
        page.location.as_deref(),
        Some("/l/confirmed-again/check-email")
    );

    // After the window: an "already signed" email, without a link to confirm.
    app.forget_email_throttle().await;
    let page = app
        .sign_as("confirmed-again", "Impostor Name", "CASSIUS@example.ORG")
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(
        page.location.as_deref(),
        Some("/l/confirmed-again/check-email")
    );
    let second = app.mail.wait_for_to("cassius@example.org", 2).await;
    assert!(
        second.subject().starts_with("You have already signed"),
        "{}",
        second.subject()
    );
    assert!(second.link("/confirm/").is_none());
    assert!(second.text().contains("already signed this letter"));

    // And once more at once: throttled again.
    app.sign_as(
        "confirmed-again",
        "Cassius Wendlebury",
        "cassius@example.org",
    )
    .await;
    app.mail_barrier("confirmed-again").await;
    assert_eq!(app.mail.to("cassius@example.org").len(), 2);

    assert_eq!(app.total("confirmed-again").await, 1);
    let public = app.get("/l/confirmed-again").await;
    assert_eq!(public.body.matches("Cassius Wendlebury").count(), 1);
    assert!(!public.body.contains("Impostor Name"));
    let list = app.get(&format!("/admin/letters/{id}/signatures")).await;
    assert!(!list.body.contains("Impostor Name"));
    app.stop().await;
}

#[tokio::test]
async fn gmail_dots_and_plus_tags_reach_the_same_signer() {
    let app = spawn_app().await;
    app.open_letter("gmail").await;
    app.sign_and_confirm("gmail", "Gwendolyn Marsh", "gwen.marsh@gmail.com", "public")
        .await;

    for (n, variant) in [
        "GwenMarsh+letters@gmail.com",
        "g.w.e.n.marsh@googlemail.com",
    ]
    .into_iter()
    .enumerate()
    {
        app.forget_email_throttle().await;
        let page = app.sign_as("gmail", "Gwendolyn Marsh", variant).await;
        assert_eq!(page.status, 303);
        assert_eq!(page.location.as_deref(), Some("/l/gmail/check-email"));
        let email = app.mail.wait_for_to(variant, 1).await;
        assert!(
            email.subject().starts_with("You have already signed"),
            "{n}: {}",
            email.subject()
        );
    }
    assert_eq!(app.total("gmail").await, 1);

    // Elsewhere, dots matter: these are two people.
    app.sign_and_confirm("gmail", "Dot Person", "dot.person@example.org", "public")
        .await;
    app.sign_and_confirm("gmail", "Dotless Person", "dotperson@example.org", "public")
        .await;
    assert_eq!(app.total("gmail").await, 3);
    app.stop().await;
}

#[tokio::test]
async fn the_same_address_may_sign_different_letters() {
    let app = spawn_app().await;
    app.open_letter("first-letter").await;
    app.open_letter("second-letter").await;
    app.sign_and_confirm(
        "first-letter",
        "Ottoline Brisk",
        "ottoline@example.org",
        "public",
    )
    .await;
    app.sign_and_confirm(
        "second-letter",
        "Ottoline Brisk",
        "ottoline@example.org",
        "public",
    )
    .await;
    assert_eq!(app.total("first-letter").await, 1);
    assert_eq!(app.total("second-letter").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn signers_arriving_all_at_once_each_count_once_and_in_the_log() {
    // On PostgreSQL several batches commit side by side (`writer_concurrency`): a signer
    // whose two submissions land in two batches at once still makes one signature, and
    // confirmations committed side by side each enter the log once.
    let app = spawn_app().await;
    app.open_letter("rush").await;
    let categories = app.categories("rush").await;
    let signers: u64 = 24;
    let signs: Vec<_> = (0..signers * 2)
        .map(|i| {
            let (name, email) = (
                format!("Rush Signer{}", i % signers),
                format!("rush{}@example.org", i % signers),
            );
            sign_in_flight(&app, "rush", &name, &email, &categories[0])
        })
        .collect();
    for sign in signs {
        assert_eq!(sign.await.unwrap(), 303);
    }
    app.mail_barrier("rush").await;
    let links: Vec<String> = (0..signers)
        .map(|i| {
            let mine = app.mail.to(&format!("rush{i}@example.org"));
            assert_eq!(mine.len(), 1, "one email for signer {i}");
            app.confirm_path(&mine[0])
        })
        .collect();
    let confirms: Vec<_> = links
        .iter()
        .map(|link| {
            let request = client().post(app.url(link)).header("origin", &app.address);
            tokio::spawn(async move {
                let response = request.send().await.unwrap();
                (response.status(), response.text().await.unwrap())
            })
        })
        .collect();
    // Each thank-you page names the signer's own entry in the log: the one their receipt
    // proves, whichever batch published it.
    let mut entries = Vec::new();
    for (confirm, link) in confirms.into_iter().zip(&links) {
        let (status, page) = confirm.await.unwrap();
        assert_eq!(status, 200);
        let shown: u64 = page
            .split_once("Your signature is entry ")
            .and_then(|(_, rest)| rest.split_once(' '))
            .map(|(number, _)| number.parse().unwrap())
            .expect("the page names the entry");
        let receipt = app.get(&format!("{link}/receipt")).await;
        assert_eq!(receipt.status, 200);
        assert!(
            receipt.body.contains(&format!("\nindex {shown}\n")),
            "the page says entry {shown}; the receipt: {}",
            receipt.body
        );
        entries.push(shown);
    }
    entries.sort_unstable();
    assert_eq!(entries, (0..signers).collect::<Vec<_>>());
    assert_eq!(app.total("rush").await, signers);
    let counts = app.get("/l/rush/counts.json").await;
    let counts: serde_json::Value = serde_json::from_str(&counts.body).unwrap();
    assert_eq!(counts["total"], signers);
    assert_eq!(counts["log_size"], signers);
    // Pressing a used link again is 409 and counts nothing.
    let again = app.post(&links[0], &[]).await;
    assert_eq!(again.status, 409);
    assert_eq!(app.total("rush").await, signers);
    app.stop().await;
}
