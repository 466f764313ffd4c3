//! Exports of a letter's signatures: the organisers' table (CSV and JSON, filtered, audited,
//! for members of the letter's workspace only) and the public one (what the page shows, no
//! private signer, initials as initials). CSV cells that a spreadsheet would run as a
//! formula are neutralised. All names are fictional.

use undersigned_core::{
    DisplayLevel, EmailAddress, PersonName, Role,
    signature::{NewSignature, SignerDetails},
};
use undersigned_server::open_store;
use undersigned_store::{ImportCommand, LetterId, WriteCommand};

use crate::helpers::*;

const ORGANISER_HEADER: &str = "id,signed_at,confirmed_at,published_at,state,category,kind,\
display_level,name,title,affiliation,city,city_shown,country,comment,email,log_index,\
organisation,organisation_website,organisation_domain,verification,logo_url,updates";
const PUBLIC_HEADER: &str =
    "log_index,category,name,details,comment,organisation,organisation_domain,verification";

/// A response read as raw bytes (reqwest's text would drop the byte order mark).
struct Download {
    status: u16,
    content_type: String,
    disposition: String,
    location: Option<String>,
    bytes: Vec<u8>,
}

impl Download {
    fn text(&self) -> &str {
        std::str::from_utf8(&self.bytes).expect("UTF-8")
    }

    /// The CSV's records, after its byte order mark.
    fn csv(&self) -> Vec<Vec<String>> {
        assert_eq!(self.status, 200, "{}", self.text());
        assert!(
            self.content_type.starts_with("text/csv"),
            "{}",
            self.content_type
        );
        let text = self
            .text()
            .strip_prefix('\u{feff}')
            .expect("the CSV starts with a byte order mark");
        parse_csv(text)
    }

    fn json(&self) -> serde_json::Value {
        assert_eq!(self.status, 200, "{}", self.text());
        assert_eq!(self.content_type, "application/json");
        serde_json::from_slice(&self.bytes).expect("valid JSON")
    }
}

async fn download(app: &TestApp, client: &reqwest::Client, path: &str) -> Download {
    let response = client.get(app.url(path)).send().await.unwrap();
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Download {
        status: response.status().as_u16(),
        content_type,
        disposition,
        location,
        bytes: response.bytes().await.unwrap().to_vec(),
    }
}

/// RFC 4180 records (CRLF line ends, quoted fields with doubled quotes), strictly: a bare
/// quote inside an unquoted field, or a missing CRLF, fails the test.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut chars = text.chars().peekable();
    while chars.peek().is_some() {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next().expect("an unterminated quoted field") {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => break,
                    c => field.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' || c == '\r' {
                    break;
                }
                assert_ne!(c, '"', "a quote in an unquoted field");
                assert_ne!(c, '\n', "a bare line feed in an unquoted field");
                field.push(c);
                chars.next();
            }
        }
        record.push(field);
        match chars.next() {
            Some(',') => {}
            Some('\r') => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF");
                records.push(std::mem::take(&mut record));
            }
            other => panic!("unexpected {other:?} after a field"),
        }
    }
    assert!(record.is_empty(), "the last record has no CRLF");
    records
}

/// What the CSV holds for a JSON value: numbers as digits, null as an empty cell, text
/// neutralised when a spreadsheet would run it.
fn as_cell(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => {
            format!("'{s}")
        }
        serde_json::Value::String(s) => s.clone(),
        other => panic!("unexpected JSON value {other}"),
    }
}

/// The JSON export's rows as CSV records, in the CSV's column order (`header`).
fn json_as_records(json: &serde_json::Value, header: &[String]) -> Vec<Vec<String>> {
    json["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            assert_eq!(row.as_object().unwrap().len(), header.len());
            header.iter().map(|column| as_cell(&row[column])).collect()
        })
        .collect()
}

/// The records whose `column` (by header name) is `value`.
fn column(records: &[Vec<String>], name: &str) -> Vec<String> {
    let index = records[0].iter().position(|c| c == name).unwrap();
    records[1..].iter().map(|r| r[index].clone()).collect()
}

/// Signs `slug` with the category at `category` (0-based) and extra `fields`, and confirms
/// through the emailed link.
async fn sign_confirmed(app: &TestApp, slug: &str, category: usize, fields: &[(&str, &str)]) {
    let email = fields
        .iter()
        .find(|(k, _)| *k == "email")
        .map(|(_, v)| *v)
        .unwrap();
    let before = app.mail.to(email).len();
    let categories = app.categories(slug).await;
    let mut form = vec![("category", categories[category].as_str())];
    form.extend_from_slice(fields);
    let page = app.sign(slug, &form).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let path = app.confirm_path(&app.mail.wait_for_to(email, before + 1).await);
    let confirmed = app.post_with(&client(), &path, &[]).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
}

/// Publishes a signature through the store with details that no form lets through (text
/// that starts with a tab or a carriage return).
async fn import_with_details(app: &TestApp, letter: i64, name: &str, details: SignerDetails) {
    let store = open_store(&app.settings).await.unwrap();
    let keys =
        undersigned_server::secrets::InstanceKeys::load_or_create(&app.settings.data_dir).unwrap();
    let category = store
        .letter(LetterId(letter))
        .await
        .unwrap()
        .unwrap()
        .categories[0]
        .id;
    let email = EmailAddress::parse("imported-tab@example.org").unwrap();
    let command = WriteCommand::ImportPublished(Box::new(ImportCommand {
        letter: LetterId(letter),
        duplicate_key: keys.duplicates.key("signature", &email),
        signature: NewSignature {
            name: PersonName::parse(name).unwrap(),
            email,
            category_id: category.0,
            display: DisplayLevel::Public,
            details,
        },
        now: app.clock.now(),
        salt: undersigned_server::secrets::random_bytes(),
        organisation: None,
    }));
    for result in store.commit_batch(vec![command]).await.unwrap() {
        result.unwrap();
    }
    store.close().await;
}

/// A letter signed by a public signer, one with initials, a private one, three whose text
/// starts like a formula, and one pending signer.
async fn signed_letter(slug: &str) -> (TestApp, i64) {
    let app = spawn_app().await;
    let id = app.open_letter(slug).await;
    sign_confirmed(
        &app,
        slug,
        0,
        &[
            ("name", "Paula Plainsong"),
            ("email", "paula@example.org"),
            ("display", "public"),
            ("title", "Director, Example Trust"),
            ("comment", "Count me in."),
        ],
    )
    .await;
    sign_confirmed(
        &app,
        slug,
        1,
        &[
            ("name", "Imogen Inkwell"),
            ("email", "imogen@example.org"),
            ("display", "initials"),
            ("city", "Lyon"),
        ],
    )
    .await;
    sign_confirmed(
        &app,
        slug,
        1,
        &[
            ("name", "Priya Privet"),
            ("email", "priya@example.org"),
            ("display", "private"),
        ],
    )
    .await;
    sign_confirmed(
        &app,
        slug,
        2,
        &[
            ("name", "=HYPERLINK(\"http://evil.example\",\"Click\")"),
            ("email", "formula@example.org"),
            ("display", "public"),
            ("comment", "+1 from me"),
        ],
    )
    .await;
    sign_confirmed(
        &app,
        slug,
        2,
        &[
            ("name", "-Minnie Minus"),
            ("email", "minus@example.org"),
            ("display", "public"),
            ("affiliation", "@handle"),
        ],
    )
    .await;
    import_with_details(
        &app,
        id,
        "Tabitha Tabb",
        SignerDetails {
            title: Some("\t=cmd".into()),
            comment: Some("\rhidden".into()),
            ..SignerDetails::default()
        },
    )
    .await;
    app.sign_pending(slug, "Penny Pending", "penny@example.org")
        .await;
    (app, id)
}

#[tokio::test]
async fn the_organisers_csv_has_a_bom_a_header_and_a_row_per_signature_with_formulas_neutralised() {
    let (app, id) = signed_letter("export-csv").await;
    let csv = download(
        &app,
        &app.client,
        &format!("/admin/letters/{id}/export.csv"),
    )
    .await;
    assert!(csv.bytes.starts_with("\u{feff}".as_bytes()));
    assert_eq!(
        csv.disposition,
        "attachment; filename=\"export-csv-signatures.csv\""
    );
    let records = csv.csv();
    assert_eq!(records[0].join(","), ORGANISER_HEADER);
    assert_eq!(records.len(), 1 + 7, "a header and seven signatures");
    assert!(records.iter().all(|r| r.len() == records[0].len()));

    // Organisers see everyone, private signers and email addresses included.
    let names = column(&records, "name");
    for name in [
        "Paula Plainsong",
        "Imogen Inkwell",
        "Priya Privet",
        "Penny Pending",
    ] {
        assert!(names.contains(&name.to_owned()), "{name} in {names:?}");
    }
    assert!(column(&records, "email").contains(&"priya@example.org".to_owned()));
    let states = column(&records, "state");
    assert_eq!(states.iter().filter(|s| *s == "published").count(), 6);
    assert_eq!(states.iter().filter(|s| *s == "pending").count(), 1);

    // Every cell a spreadsheet would run starts with an apostrophe.
    assert!(names.contains(&"'=HYPERLINK(\"http://evil.example\",\"Click\")".to_owned()));
    assert!(names.contains(&"'-Minnie Minus".to_owned()));
    assert!(column(&records, "comment").contains(&"'+1 from me".to_owned()));
    assert!(column(&records, "affiliation").contains(&"'@handle".to_owned()));
    assert!(column(&records, "title").contains(&"'\t=cmd".to_owned()));
    assert!(column(&records, "comment").contains(&"'\rhidden".to_owned()));
    for record in &records {
        for cell in record {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?} is not neutralised"
            );
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn the_json_export_is_valid_and_holds_the_csv_rows() {
    let (app, id) = signed_letter("export-json").await;
    let csv = download(
        &app,
        &app.client,
        &format!("/admin/letters/{id}/export.csv"),
    )
    .await
    .csv();
    let json = download(
        &app,
        &app.client,
        &format!("/admin/letters/{id}/export.json"),
    )
    .await;
    assert_eq!(
        json.disposition,
        "attachment; filename=\"export-json-signatures.json\""
    );
    let json = json.json();
    assert_eq!(json["letter"], "export-json");
    assert_eq!(json_as_records(&json, &csv[0]), csv[1..].to_vec());
    // JSON keeps the text as typed.
    assert!(
        json["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|row| row["name"] == "-Minnie Minus")
    );

    // The public variant too.
    let public_csv = download(&app, &client(), "/l/export-json/export.csv")
        .await
        .csv();
    let public_json = download(&app, &client(), "/l/export-json/export.json")
        .await
        .json();
    assert_eq!(
        json_as_records(&public_json, &public_csv[0]),
        public_csv[1..].to_vec()
    );
    app.stop().await;
}

#[tokio::test]
async fn the_public_export_holds_what_the_page_shows_and_no_private_signer() {
    let (app, _) = signed_letter("export-public").await;
    let csv = download(&app, &client(), "/l/export-public/export.csv").await;
    assert_eq!(
        csv.disposition,
        "attachment; filename=\"export-public-signatories.csv\""
    );
    let records = csv.csv();
    assert_eq!(records[0].join(","), PUBLIC_HEADER);
    // Six published signatures, one of them private: five rows.
    assert_eq!(records.len(), 1 + 5);
    let names = column(&records, "name");
    assert!(names.contains(&"Paula Plainsong".to_owned()));
    assert!(names.contains(&"I. I.".to_owned()), "{names:?}");
    let text = csv.text();
    for secret in [
        "Imogen",
        "Inkwell",
        "Lyon",
        "Priya",
        "Privet",
        "Penny",
        "@example.org",
    ] {
        assert!(!text.contains(secret), "{secret} is in the public export");
    }
    // What the page shows beside the name: details joined, the comment.
    assert!(column(&records, "details").contains(&"Director, Example Trust".to_owned()));
    assert!(column(&records, "comment").contains(&"Count me in.".to_owned()));
    assert!(
        column(&records, "log_index")
            .iter()
            .all(|i| i.parse::<u64>().is_ok())
    );

    let json = download(&app, &client(), "/l/export-public/export.json").await;
    let text = json.text().to_owned();
    assert_eq!(json.json()["signatures"].as_array().unwrap().len(), 5);
    for secret in ["Imogen", "Priya", "Penny", "@example.org"] {
        assert!(!text.contains(secret), "{secret} is in the public JSON");
    }

    // A draft has no public export.
    let draft = app
        .create_letter(&app.client, &as_form(&letter_fields("export-draft")))
        .await;
    assert!(draft > 0);
    assert_eq!(
        download(&app, &client(), "/l/export-draft/export.csv")
            .await
            .status,
        404
    );
    // The log's list is still where it was.
    assert_eq!(
        app.get("/l/export-public/signatories.json").await.status,
        200
    );
    app.stop().await;
}

/// Today (UTC) as YYYY-MM-DD, and the days before and after.
fn days_around_today(app: &TestApp) -> (String, String, String) {
    let day = |offset: i64| {
        undersigned_server::format::iso_date_time(app.clock.now() + offset * 86_400)[..10]
            .to_owned()
    };
    (day(-1), day(0), day(1))
}

#[tokio::test]
async fn filters_narrow_the_rows() {
    let (app, id) = signed_letter("export-filters").await;
    let (yesterday, today, tomorrow) = days_around_today(&app);
    let rows = |query: String| {
        let app = &app;
        async move {
            let path = format!("/admin/letters/{id}/export.csv?{query}");
            download(app, &app.client, &path).await.csv().len() - 1
        }
    };
    assert_eq!(rows(String::new()).await, 7);
    assert_eq!(rows("category=Survivor".into()).await, 2);
    assert_eq!(rows("category=Supporter&state=published".into()).await, 2);
    assert_eq!(rows("state=pending".into()).await, 1);
    assert_eq!(rows("state=withdrawn".into()).await, 0);
    assert_eq!(rows("kind=individual".into()).await, 7);
    assert_eq!(rows("kind=organisation".into()).await, 0);
    assert_eq!(rows(format!("from={today}&to={today}")).await, 7);
    assert_eq!(rows(format!("from={tomorrow}")).await, 0);
    assert_eq!(rows(format!("to={yesterday}")).await, 0);
    // Empty values mean "any", as an unfilled form sends them.
    assert_eq!(rows("category=&kind=&state=&from=&to=".into()).await, 7);

    // The JSON takes the same filters.
    let json = download(
        &app,
        &app.client,
        &format!("/admin/letters/{id}/export.json?category=Survivor"),
    )
    .await
    .json();
    let categories: Vec<_> = json["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["category"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(categories, ["Survivor", "Survivor"]);
    app.stop().await;
}

#[tokio::test]
async fn bad_filter_values_get_a_422_that_says_what_to_write() {
    let app = spawn_app().await;
    let id = app.open_letter("export-bad").await;
    for (query, status, says) in [
        ("category=Astronaut", 422, "has no category"),
        ("kind=robot", 422, "write individual or organisation"),
        ("state=lost", 422, "write one of pending"),
        (
            "verification=maybe",
            422,
            "write verified, domain, organiser or unverified",
        ),
        ("from=2026-02-30", 422, "YYYY-MM-DD"),
        ("to=yesterday", 422, "YYYY-MM-DD"),
        ("from=2026-12-01&to=2026-11-01", 422, "swap them"),
        ("q=Someone", 422, "does not search"),
        ("state=%FF", 400, "not valid text"),
    ] {
        for format in ["csv", "json"] {
            let page = app
                .get(&format!("/admin/letters/{id}/export.{format}?{query}"))
                .await;
            assert_eq!(page.status, status, "{query}");
            assert!(page.body.contains(says), "{query}: {}", page.body);
        }
    }
    app.stop().await;
}

/// The `Verify` buttons' paths on a page of the queue.
fn verify_paths(body: &str) -> Vec<String> {
    body.match_indices("formaction=\"")
        .map(|(at, m)| {
            body[at + m.len()..]
                .chars()
                .take_while(|c| *c != '"')
                .collect::<String>()
        })
        .filter(|path| path.ends_with("/verify"))
        .collect()
}

/// A coalition letter signed by an organisation verified by its domain (named like a
/// formula, with a logo), one verified by an organiser, one held for verification, and a
/// person.
async fn coalition(slug: &str) -> (TestApp, i64) {
    let app = spawn_app().await;
    let id = open_letter_for_organisations(&app, slug).await;
    sign_organisation_and_confirm(
        &app,
        slug,
        "=HYPERLINK(\"http://evil.example\",\"Org\")",
        "https://www.formula-org.example/about",
        "Ada Formula",
        "ada@formula-org.example",
        &undersigned_testkit::images::png(120, 60),
    )
    .await;
    sign_organisation_and_confirm(
        &app,
        slug,
        "Riverside Food Bank",
        "riverside-food.example",
        "Ben Bramble",
        "ben@mail.test",
        &[],
    )
    .await;
    let queue = app
        .get(&format!(
            "/admin/letters/{id}/signatures?verification=unverified"
        ))
        .await;
    let verify = verify_paths(&queue.body);
    assert_eq!(verify.len(), 1, "{}", queue.body);
    let csrf = app.organiser_csrf(&app.client).await;
    let verified = app.post(&verify[0], &[("csrf", &csrf)]).await;
    assert_eq!(verified.status, 303, "{}", verified.body);
    sign_organisation_and_confirm(
        &app,
        slug,
        "Hilltop Choir",
        "hilltop-choir.example",
        "Cleo Cadence",
        "cleo@mail.test",
        &[],
    )
    .await;
    sign_confirmed(
        &app,
        slug,
        0,
        &[
            ("name", "Ivy Individual"),
            ("email", "ivy@example.org"),
            ("display", "public"),
        ],
    )
    .await;
    (app, id)
}

/// The record whose `name` cell is `value`, as column name → cell.
fn row_named(records: &[Vec<String>], name: &str) -> std::collections::HashMap<String, String> {
    let index = records[0].iter().position(|c| c == "name").unwrap();
    let row = records[1..]
        .iter()
        .find(|r| r[index] == name)
        .unwrap_or_else(|| panic!("no row named {name}"));
    records[0]
        .iter()
        .cloned()
        .zip(row.iter().cloned())
        .collect()
}

#[tokio::test]
async fn organisations_have_their_columns_and_a_verification_filter() {
    let (app, id) = coalition("export-orgs").await;
    let path = |format: &str, query: &str| format!("/admin/letters/{id}/export.{format}?{query}");
    let csv = download(&app, &app.client, &path("csv", "")).await.csv();
    assert_eq!(csv[0].join(","), ORGANISER_HEADER);
    assert_eq!(csv.len(), 1 + 4);

    let formula = row_named(&csv, "Ada Formula");
    assert_eq!(formula["kind"], "organisation");
    assert_eq!(
        formula["organisation"], "'=HYPERLINK(\"http://evil.example\",\"Org\")",
        "neutralised"
    );
    assert!(
        formula["organisation_website"].contains("formula-org.example"),
        "{formula:?}"
    );
    assert_eq!(formula["organisation_domain"], "formula-org.example");
    assert_eq!(formula["verification"], "domain");
    assert!(formula["logo_url"].starts_with("/logos/") && formula["logo_url"].ends_with(".png"));
    let logo = app
        .client
        .get(app.url(&formula["logo_url"]))
        .send()
        .await
        .unwrap();
    assert_eq!(logo.status(), 200, "the logo's address works");
    let by_organiser = row_named(&csv, "Ben Bramble");
    assert_eq!(by_organiser["organisation"], "Riverside Food Bank");
    assert_eq!(by_organiser["verification"], "organiser");
    assert_eq!(by_organiser["email"], "ben@mail.test");
    assert_eq!(by_organiser["logo_url"], "");
    let held = row_named(&csv, "Cleo Cadence");
    assert_eq!(held["state"], "held");
    assert_eq!(held["organisation_domain"], "hilltop-choir.example");
    assert_eq!(held["verification"], "");
    let person = row_named(&csv, "Ivy Individual");
    for column in [
        "organisation",
        "organisation_website",
        "organisation_domain",
        "verification",
        "logo_url",
    ] {
        assert_eq!(person[column], "", "{column}");
    }

    // The JSON holds the same rows, the text as typed.
    let json = download(&app, &app.client, &path("json", "")).await.json();
    assert_eq!(json_as_records(&json, &csv[0]), csv[1..].to_vec());
    let rows = json["signatures"].as_array().unwrap();
    assert!(rows.iter().any(|r| r["organisation"]
        == "=HYPERLINK(\"http://evil.example\",\"Org\")"
        && r["verification"] == "domain"));
    assert!(
        rows.iter()
            .any(|r| r["name"] == "Ivy Individual" && r["organisation"].is_null())
    );

    // The verification filter, alone and with the others.
    let names = |query: &'static str| {
        let app = &app;
        let path = path("csv", query);
        async move {
            let mut names = column(&download(app, &app.client, &path).await.csv(), "name");
            names.sort();
            names
        }
    };
    assert_eq!(
        names("verification=verified").await,
        ["Ada Formula", "Ben Bramble"]
    );
    assert_eq!(names("verification=domain").await, ["Ada Formula"]);
    assert_eq!(names("verification=organiser").await, ["Ben Bramble"]);
    assert_eq!(names("verification=unverified").await, ["Cleo Cadence"]);
    assert_eq!(
        names("verification=unverified&state=published").await,
        Vec::<String>::new()
    );
    assert_eq!(
        names("verification=verified&kind=individual").await,
        Vec::<String>::new()
    );
    let json = download(&app, &app.client, &path("json", "verification=organiser"))
        .await
        .json();
    assert_eq!(json["signatures"].as_array().unwrap().len(), 1);
    assert_eq!(json["signatures"][0]["organisation"], "Riverside Food Bank");

    // The audit trail says which filter was exported.
    let dashboard = app.get("/admin").await.body;
    assert!(
        dashboard.contains("json export, verification=organiser"),
        "{dashboard}"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_public_export_shows_published_organisations_and_no_held_one_nor_email() {
    let (app, _) = coalition("export-public-orgs").await;
    let csv = download(&app, &client(), "/l/export-public-orgs/export.csv").await;
    let records = csv.csv();
    assert_eq!(records[0].join(","), PUBLIC_HEADER);
    assert_eq!(records.len(), 1 + 3, "two organisations and a person");
    let mut organisations = column(&records, "organisation");
    organisations.sort();
    assert_eq!(
        organisations,
        [
            "",
            "'=HYPERLINK(\"http://evil.example\",\"Org\")",
            "Riverside Food Bank"
        ]
    );
    let mut verification = column(&records, "verification");
    verification.sort();
    assert_eq!(verification, ["", "domain", "organiser"]);
    let mut domains = column(&records, "organisation_domain");
    domains.sort();
    assert_eq!(
        domains,
        ["", "formula-org.example", "riverside-food.example"]
    );
    let text = csv.text();
    for secret in [
        "Hilltop",
        "Cleo",
        "hilltop-choir",
        "@",
        "mail.test",
        "/about",
    ] {
        assert!(!text.contains(secret), "{secret} is in the public CSV");
    }

    let json = download(&app, &client(), "/l/export-public-orgs/export.json").await;
    let text = json.text().to_owned();
    let json = json.json();
    assert_eq!(json_as_records(&json, &records[0]), records[1..].to_vec());
    assert!(
        json["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["organisation"] == "=HYPERLINK(\"http://evil.example\",\"Org\")")
    );
    for secret in ["Hilltop", "Cleo", "@formula-org", "@mail.test", "ivy@"] {
        assert!(!text.contains(secret), "{secret} is in the public JSON");
    }
    app.stop().await;
}

#[tokio::test]
async fn viewers_may_export_and_others_may_not() {
    let app = spawn_app().await;
    let id = app.open_letter("export-who").await;
    app.sign_and_confirm(
        "export-who",
        "Walter Watcher",
        "walter@example.org",
        "public",
    )
    .await;
    let path = format!("/admin/letters/{id}/export.csv");

    let viewer = app
        .add_organiser(
            "vera@example.org",
            "Vera Viewer",
            "test-coalition",
            Role::Viewer,
        )
        .await;
    assert_eq!(download(&app, &viewer, &path).await.csv().len(), 2);

    // Logged out: sent to log in, and back here afterwards.
    let visitor = download(&app, &client(), &path).await;
    assert_eq!(visitor.status, 303);
    assert_eq!(visitor.location.as_deref(), Some(&*login_redirect(&path)));
    assert!(!visitor.text().contains("walter"));

    // An owner of another workspace does not learn that the letter exists.
    let outsider = app
        .add_organiser(
            "otto@example.org",
            "Otto Outsider",
            "other-coalition",
            Role::Owner,
        )
        .await;
    for path in [
        path.clone(),
        format!("/admin/letters/{id}/export.json"),
        "/admin/letters/999999/export.csv".into(),
        "/admin/letters/not-a-number/export.csv".into(),
    ] {
        let page = download(&app, &outsider, &path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(!page.text().contains("walter"));
    }
    app.stop().await;
}

#[tokio::test]
async fn every_organiser_export_is_in_the_audit_trail() {
    let app = spawn_app().await;
    let id = app.open_letter("export-audit").await;
    let viewer = app
        .add_organiser(
            "vera@example.org",
            "Vera Viewer",
            "test-coalition",
            Role::Viewer,
        )
        .await;
    let csv = download(
        &app,
        &viewer,
        &format!("/admin/letters/{id}/export.csv?category=Survivor&state=published"),
    )
    .await;
    assert_eq!(csv.status, 200);
    let json = download(
        &app,
        &app.client,
        &format!("/admin/letters/{id}/export.json"),
    )
    .await;
    assert_eq!(json.status, 200);
    // A public export is not personal data: not audited.
    assert_eq!(
        download(&app, &client(), "/l/export-audit/export.csv")
            .await
            .status,
        200
    );

    let dashboard = app.get("/admin").await.body;
    assert_eq!(dashboard.matches("letter.export").count(), 2, "{dashboard}");
    assert!(dashboard.contains("Vera Viewer"));
    assert!(dashboard.contains("csv export, category=Survivor state=published"));
    assert!(dashboard.contains("json export, every signature"));
    assert!(dashboard.contains("letter export-audit"));
    app.stop().await;
}

/// The id of the one letter the owner's dashboard lists.
async fn only_letter_id(app: &TestApp) -> i64 {
    let dashboard = app.get("/admin").await.body;
    let (_, after) = dashboard
        .split_once("<a href=\"/admin/letters/")
        .expect("a letter on the dashboard");
    after
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_long_letter_streams_every_row_once() {
    const N: usize = 2_345;
    let app = spawn_app_with_signatures("export-long", N).await;
    let id = only_letter_id(&app).await;

    let csv = download(
        &app,
        &app.client,
        &format!("/admin/letters/{id}/export.csv"),
    )
    .await
    .csv();
    assert_eq!(csv.len(), 1 + N);
    let mut ids = column(&csv, "id");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), N, "every signature once, across pages");

    let json = download(
        &app,
        &app.client,
        &format!("/admin/letters/{id}/export.json"),
    )
    .await
    .json();
    assert_eq!(json["signatures"].as_array().unwrap().len(), N);

    let public = download(&app, &client(), "/l/export-long/export.csv")
        .await
        .csv();
    assert_eq!(public.len(), 1 + N);
    let mut indexes = column(&public, "log_index");
    indexes.sort();
    indexes.dedup();
    assert_eq!(indexes.len(), N);
    app.stop().await;
}
