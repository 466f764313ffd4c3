//! Two `undersigned serve` processes on one PostgreSQL database are one site: a signature
//! made through one is counted on the other, a session started on one is valid on the other,
//! each outbox email is sent exactly once though both run a mail worker, and each process's
//! writer batches its own requests.

use std::{
    collections::{BTreeMap, HashSet},
    time::Duration,
};

use undersigned_testkit::fresh_postgres_database;

use crate::support::*;

const SLUG: &str = "one-site";
/// How many people sign.
const SIGNERS: usize = 40;
/// The first few sign and confirm one after the other; the rest all at once.
const ONE_BY_ONE: usize = 6;
/// The last few have their link pressed on both processes at once, twice on each.
const RACERS: usize = 4;
/// How often an idle mail worker looks for due emails (`POLL` in the server's worker).
const WORKER_POLL: Duration = Duration::from_secs(2);

struct Signer {
    name: String,
    email: String,
    display: &'static str,
    category: usize,
    /// The process (0 or 1) they sign through; they confirm through the other one.
    signs_on: usize,
}

impl Signer {
    fn new(i: usize) -> Self {
        Self {
            name: format!("Signer{i:02} Alternate"),
            email: format!("signer{i:02}@example.org"),
            // Every fourth chooses not to be shown.
            display: if i % 4 == 3 { "private" } else { "public" },
            category: i % 3,
            signs_on: i % 2,
        }
    }

    fn confirms_on(&self) -> usize {
        1 - self.signs_on
    }

    fn form<'a>(&'a self, categories: &'a [String]) -> [(&'a str, &'a str); 4] {
        [
            ("name", &self.name),
            ("email", &self.email),
            ("category", &categories[self.category]),
            ("display", self.display),
        ]
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_database_are_one_site() {
    let mut laps = Laps::start();

    // --- two processes, one database, one instance key ----------------------------------
    let database = fresh_postgres_database();
    let mail = MailSink::with_listeners(2);
    let (data_a, data_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = start("A", data_a.path(), &database, &mail.smtp_url(0)).await;
    laps.lap("cluster and A started");

    // The owner sets the instance up through A's one-time link.
    let owner = client();
    let done = a.set_up(&owner, &a.setup_path().await).await;
    let session = done
        .cookie("us_session")
        .expect("setting up logs the owner in");

    // B gets A's instance key before its first start, as an operator would copy it.
    copy_instance_key(data_a.path(), data_b.path());
    let b = start("B", data_b.path(), &database, &mail.smtp_url(1)).await;
    let servers = [&a, &b];
    laps.lap("instance set up and B started");

    // --- a session started on A is valid on B --------------------------------------------
    let owner_on_b = client_with_cookie(&session);
    let dashboard = b.get_with(&owner_on_b, "/admin").await;
    assert_eq!(
        dashboard.status, 200,
        "A's session on B: {}",
        dashboard.body
    );
    assert!(dashboard.body.contains(OWNER_NAME));
    let anonymous = b.get_with(&plain_client(), "/admin").await;
    assert_eq!(anonymous.status, 303, "B does not let just anyone in");
    // And the other way: logging in on B opens A.
    let browser = client();
    let logged_in = b.log_in(&browser, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(logged_in.status, 303, "{}", logged_in.body);
    let session_b = logged_in.cookie("us_session").expect("a session");
    let on_a = a.get_with(&client_with_cookie(&session_b), "/admin").await;
    assert_eq!(on_a.status, 200, "B's session on A: {}", on_a.body);

    // The letter is written on A and published through B, with A's session and the csrf
    // token A's pages carry.
    let new = a.get_with(&owner, "/admin/letters/new").await;
    assert_eq!(new.status, 200);
    let workspace = hidden_value(&new.body, "workspace").unwrap_or_default();
    let csrf = new.csrf();
    let fields = letter_fields(SLUG);
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("workspace", &workspace)];
    form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
    let created = a.post_with(&owner, "/admin/letters/new", &form).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let letter = created.location.unwrap();
    let published = b
        .post_with(
            &owner_on_b,
            &format!("{letter}/publish"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        published.status, 303,
        "publishing through B: {}",
        published.body
    );

    // Both serve the letter.
    let page = b.get_with(&plain_client(), &format!("/l/{SLUG}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let categories = radio_values(&page.body, "category");
    assert_eq!(categories.len(), 3, "{}", page.body);
    let page = a.get_with(&plain_client(), &format!("/l/{SLUG}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    laps.lap("sessions checked, letter published");

    // --- signing alternately through A and B ---------------------------------------------
    let signers: Vec<Signer> = (0..SIGNERS).map(Signer::new).collect();
    // The signing and confirming requests each process was sent: its writer must commit
    // exactly these.
    let mut writes = [0u64; 2];
    let sign_path = format!("/l/{SLUG}/sign");
    let check_email = format!("/l/{SLUG}/check-email");

    // One after the other: sign through one process, confirm through the other.
    for signer in &signers[..ONE_BY_ONE] {
        let signed = servers[signer.signs_on]
            .post_with(&plain_client(), &sign_path, &signer.form(&categories))
            .await;
        writes[signer.signs_on] += 1;
        assert_eq!(signed.status, 303, "{}", signed.body);
        assert_eq!(signed.location.as_deref(), Some(check_email.as_str()));
        let email = mail.wait_for_to(&signer.email, 1).await;
        let link = email.confirm_path().expect("a confirmation link");
        let confirmed = servers[signer.confirms_on()]
            .post_with(&plain_client(), &link, &[])
            .await;
        writes[signer.confirms_on()] += 1;
        assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    }
    for server in servers {
        server.wait_for_total(SLUG, ONE_BY_ONE as u64).await;
    }
    laps.lap("one by one");

    // All at once: every remaining signer signs, half through each process. The requests
    // are all built first, on one client, so that they leave together (building a client
    // per request spaced them out by more than a commit on a busy machine).
    let burst = plain_client();
    let mut requests = Vec::new();
    for signer in &signers[ONE_BY_ONE..] {
        requests.push(servers[signer.signs_on].post_request(
            &burst,
            &sign_path,
            &signer.form(&categories),
        ));
        writes[signer.signs_on] += 1;
    }
    let signing: Vec<_> = requests
        .into_iter()
        .map(|request| tokio::spawn(Page::send(request)))
        .collect();
    for (signer, signed) in signers[ONE_BY_ONE..].iter().zip(signing) {
        let signed = signed.await.unwrap();
        assert_eq!(signed.status, 303, "{}: {}", signer.email, signed.body);
        assert_eq!(signed.location.as_deref(), Some(check_email.as_str()));
    }
    let mut links = Vec::new();
    for signer in &signers[ONE_BY_ONE..] {
        let email = mail.wait_for_to(&signer.email, 1).await;
        links.push((signer, email.confirm_path().expect("a confirmation link")));
    }
    // …then every one of them confirms through the other process, all at once; the last
    // few press their link twice on each process at the same time.
    let racers_from = SIGNERS - RACERS;
    let mut confirming = Vec::new();
    for (i, (signer, link)) in (ONE_BY_ONE..).zip(&links) {
        let on: &[usize] = if i >= racers_from {
            &[0, 1, 0, 1]
        } else {
            &[signer.confirms_on()]
        };
        let presses: Vec<_> = on
            .iter()
            .map(|&p| {
                writes[p] += 1;
                servers[p].post_request(&burst, link, &[])
            })
            .collect();
        confirming.push((signer, presses));
    }
    let confirming: Vec<_> = confirming
        .into_iter()
        .map(|(signer, presses)| {
            let presses: Vec<_> = presses
                .into_iter()
                .map(|request| tokio::spawn(Page::send(request)))
                .collect();
            (signer, presses)
        })
        .collect();
    for (signer, presses) in confirming {
        let mut statuses = Vec::new();
        for press in presses {
            let page = press.await.unwrap();
            assert!(
                page.status == 200 || page.status == 409,
                "{}: {} {}",
                signer.email,
                page.status,
                page.body
            );
            statuses.push(page.status.as_u16());
        }
        statuses.sort_unstable();
        let mut expected = vec![409; statuses.len() - 1];
        expected.insert(0, 200);
        assert_eq!(
            statuses, expected,
            "{}: one press confirms, the others are told it was used",
            signer.email
        );
    }
    laps.lap("the rest at once");

    // --- counted on both, listed on both -------------------------------------------------
    let mut by_category: BTreeMap<&str, u64> = BTreeMap::new();
    for signer in &signers {
        *by_category
            .entry(["Organisation", "Survivor", "Supporter"][signer.category])
            .or_default() += 1;
    }
    for server in servers {
        let counts = server.wait_for_total(SLUG, SIGNERS as u64).await;
        for (category, n) in &by_category {
            assert_eq!(
                counts["by_category"][category],
                *n,
                "{}: {counts}",
                server.name()
            );
        }
    }
    for server in servers {
        let what = format!("every public signer on {}'s letter page", server.name());
        let page = eventually(Duration::from_secs(10), &what, || async {
            let page = server
                .get_with(&plain_client(), &format!("/l/{SLUG}"))
                .await;
            signers
                .iter()
                .filter(|s| s.display == "public")
                .all(|s| page.body.contains(&s.name))
                .then_some(page)
        })
        .await;
        for signer in signers.iter().filter(|s| s.display == "private") {
            assert!(
                !page.body.contains(&signer.name),
                "{} shows a private signer",
                server.name()
            );
            assert!(!page.body.contains(&signer.email));
        }
    }
    laps.lap("counts and lists on both");

    // --- signing again through the other process ---------------------------------------
    // The first two signers sign again through the process they did not sign through. The
    // email throttle would hold the "already signed" email back for two minutes: let that
    // time pass in the database.
    let pool = db(&database).await;
    sqlx::query("UPDATE signatures SET last_emailed_at = last_emailed_at - 2 * 86400")
        .execute(&pool)
        .await
        .unwrap();
    for signer in &signers[..2] {
        let on = signer.confirms_on();
        let again = Signer {
            name: "Impostor Quarrel".to_owned(),
            email: signer.email.to_uppercase(),
            display: "public",
            category: signer.category,
            signs_on: on,
        };
        let page = servers[on]
            .post_with(&plain_client(), &sign_path, &again.form(&categories))
            .await;
        writes[on] += 1;
        assert_eq!(page.status, 303, "{}", page.body);
        assert_eq!(page.location.as_deref(), Some(check_email.as_str()));
        let told = mail.wait_for_to(&signer.email, 2).await;
        assert!(
            told.subject().starts_with("You have already signed"),
            "{}",
            told.subject()
        );
        assert_eq!(told.confirm_path(), None);
    }
    laps.lap("signing again");

    // --- every email sent exactly once ---------------------------------------------------
    let expected_emails = SIGNERS + 2;
    mail.wait_for(expected_emails).await;
    // Each row of the outbox was claimed once (a claim counts an attempt) and sent.
    let rows: Vec<(String, i64)> =
        eventually(Duration::from_secs(10), "the outbox sent", || async {
            let rows: Vec<(String, i64)> =
                sqlx::query_as("SELECT status, attempts FROM outbox ORDER BY id")
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            rows.iter()
                .all(|(status, _)| status == "sent")
                .then_some(rows)
        })
        .await;
    assert_eq!(rows.len(), expected_emails);
    assert!(rows.iter().all(|(_, attempts)| *attempts == 1), "{rows:?}");
    // Both workers keep looking; give each a chance to send something twice.
    tokio::time::sleep(WORKER_POLL + Duration::from_millis(500)).await;
    let all = mail.all();
    assert_eq!(all.len(), expected_emails, "no email is sent twice");
    let ids: HashSet<String> = all.iter().map(|m| m.header("message-id")).collect();
    assert_eq!(ids.len(), expected_emails, "one Message-ID per outbox row");
    for (i, signer) in signers.iter().enumerate() {
        let subjects: Vec<String> = mail
            .to(&signer.email)
            .iter()
            .map(Captured::subject)
            .collect();
        assert!(
            subjects[0].starts_with("Confirm your signature"),
            "{subjects:?}"
        );
        assert_eq!(
            subjects.len(),
            if i < 2 { 2 } else { 1 },
            "{}: {subjects:?}",
            signer.email
        );
    }
    let sent_by: [usize; 2] = [0, 1].map(|p| all.iter().filter(|m| m.listener == p).count());
    assert!(
        sent_by.iter().all(|&n| n > 0),
        "both mail workers send: {sent_by:?}"
    );

    // Signing again never counted twice (the caches have expired by now).
    for server in servers {
        assert_eq!(
            server.counts(SLUG).await["total"],
            SIGNERS as u64,
            "{}",
            server.name()
        );
        let page = server
            .get_with(&plain_client(), &format!("/l/{SLUG}"))
            .await;
        assert!(!page.body.contains("Impostor"));
    }
    laps.lap("emails");

    // --- each process's writer committed its own requests, in batches ------------------
    let mut committed = Vec::new();
    for (p, server) in servers.iter().enumerate() {
        let what = format!("{} batches holding {} writes", server.name(), writes[p]);
        let sizes = eventually(Duration::from_secs(5), &what, || async {
            let sizes = batches(server);
            (sizes.iter().sum::<u64>() == writes[p]).then_some(sizes)
        })
        .await;
        committed.push(sizes);
    }
    eprintln!("batch sizes: A {:?}, B {:?}", committed[0], committed[1]);
    for (server, sizes) in servers.iter().zip(&committed) {
        assert!(
            sizes.iter().any(|&n| n > 1),
            "{}'s writer committed one request at a time: {sizes:?}",
            server.name()
        );
    }

    // --- and the end of a session on one process ends it on the other -------------------
    let logout = b
        .post_with(&owner_on_b, "/logout", &[("csrf", &csrf)])
        .await;
    assert_eq!(logout.status, 303, "{}", logout.body);
    let after = a.get_with(&owner, "/admin").await;
    assert_eq!(after.status, 303, "logged out on B, logged out on A");

    for server in servers {
        let errors = server.logged_at("ERROR");
        assert!(
            errors.is_empty(),
            "{} logged errors: {errors:?}",
            server.name()
        );
    }
    assert!(
        !b.output().contains("/setup/"),
        "B found the instance set up"
    );
    laps.lap("writers and sessions");
    eprintln!(
        "emails sent by A {}, by B {}; warnings: A {}, B {}",
        sent_by[0],
        sent_by[1],
        a.logged_at("WARN").len(),
        b.logged_at("WARN").len()
    );
    eprintln!("{laps}");
}

/// Duplicate detection is an HMAC under the instance key, so a process with a key of its
/// own would count a second signature from the same person. It refuses to start instead.
#[tokio::test]
async fn a_process_with_another_instance_key_refuses_to_start() {
    let database = fresh_postgres_database();
    let mail = MailSink::start();
    let (first, other) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let _a = start("A", first.path(), &database, &mail.smtp_url(0)).await;
    let output = start_refused("C", other.path(), &database, &mail.smtp_url(0)).await;
    assert!(output.contains("instance.key"), "{output}");
}
