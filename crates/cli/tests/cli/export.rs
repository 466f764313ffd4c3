//! `undersigned export` as an operator runs it: the organisers' table and the public one,
//! to a file or to standard output, with filters, and clear errors for bad ones.

use crate::DEMO_SIGNATURES;
use std::path::Path;

use crate::process::{demo, undersigned};

/// Runs `undersigned export ARGS` on `data`; returns (success, stdout, stderr).
fn export(data: &Path, args: &[&str]) -> (bool, Vec<u8>, String) {
    let out = undersigned(data).arg("export").args(args).output().unwrap();
    (
        out.status.success(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The CSV's records (the demo's text has no quoted line breaks), after its byte order mark.
fn records(bytes: &[u8]) -> Vec<String> {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte order mark");
    assert!(text.ends_with("\r\n"));
    text.split_terminator("\r\n").map(str::to_owned).collect()
}

#[tokio::test]
async fn export_writes_the_organisers_table_and_the_public_one() {
    let data = tempfile::tempdir().unwrap();
    demo(data.path());

    // The organisers' table, to a file: every signature, with its email.
    let file = data.path().join("demo.csv");
    let (ok, _, stderr) = export(
        data.path(),
        &["--letter", "demo", "--output", file.to_str().unwrap()],
    );
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains(&format!("Wrote {DEMO_SIGNATURES} signatures")),
        "{stderr}"
    );
    let table = records(&std::fs::read(&file).unwrap());
    assert_eq!(table.len() as u64, 1 + DEMO_SIGNATURES);
    assert!(table[0].starts_with("id,signed_at,"));
    // Every row has the signer's address: the demo's people at example.org, and its
    // organisations' signers on their own domains or at example.org.
    assert!(
        table
            .iter()
            .skip(1)
            .all(|r| r.contains("@example.org") || r.contains("office@"))
    );
    let private: Vec<String> = table
        .iter()
        .filter(|r| r.contains(",private,"))
        .map(|r| r.split(',').nth(8).unwrap().to_owned())
        .collect();
    assert!(!private.is_empty(), "the demo has private signers");
    // No partial file is left beside it.
    let leftovers: Vec<_> = std::fs::read_dir(data.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty());

    // The public one, to standard output: no private signer, no email.
    let (ok, public, stderr) = export(data.path(), &["--letter", "demo", "--public"]);
    assert!(ok, "{stderr}");
    let public = records(&public);
    assert_eq!(
        public[0],
        "log_index,category,name,details,comment,organisation,organisation_domain,verification"
    );
    assert_eq!(
        public.len() as u64,
        1 + DEMO_SIGNATURES - private.len() as u64
    );
    let text = public.join("\n");
    assert!(!text.contains("@example.org"));
    for name in &private {
        assert!(
            !text.contains(name.as_str()),
            "{name} is in the public export"
        );
    }

    // JSON, filtered.
    let (ok, json, stderr) = export(
        data.path(),
        &[
            "--letter",
            "demo",
            "--format",
            "json",
            "--category",
            "Survivor",
        ],
    );
    assert!(ok, "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let rows = json["signatures"].as_array().unwrap();
    assert_eq!(rows.len(), 12);
    assert!(rows.iter().all(|r| r["category"] == "Survivor"));
    let (ok, pending, _) = export(data.path(), &["--letter", "demo", "--state", "pending"]);
    assert!(ok);
    assert_eq!(records(&pending).len(), 1);
    // The demo's eight organisations: six verified by their domain, two by the organiser.
    let organisations = |verification: &str| {
        let (ok, out, stderr) = export(
            data.path(),
            &["--letter", "demo", "--verification", verification],
        );
        assert!(ok, "{stderr}");
        let rows = records(&out);
        assert!(rows[0].ends_with(
            ",organisation,organisation_website,organisation_domain,verification,logo_url,updates"
        ));
        rows[1..].to_vec()
    };
    assert_eq!(organisations("verified").len(), 8);
    let by_domain = organisations("domain");
    assert_eq!(by_domain.len(), 6);
    assert!(
        by_domain.iter().all(|r| r.contains(",domain,")),
        "{by_domain:?}"
    );
    let by_organiser = organisations("organiser");
    assert_eq!(by_organiser.len(), 2);
    assert!(by_organiser.iter().all(|r| r.contains(",organiser,")));
    assert!(organisations("unverified").is_empty());

    // Each organisers' export is in the audit trail.
    let db = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}?mode=ro",
        data.path().join("undersigned.db").display()
    ))
    .await
    .unwrap();
    let exports: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'letter.export'")
            .fetch_one(&db)
            .await
            .unwrap();
    db.close().await;
    assert_eq!(
        exports, 7,
        "the file, the JSON, the pending ones and four by verification"
    );
}

#[test]
fn export_refuses_what_it_cannot_do_and_says_why() {
    let data = tempfile::tempdir().unwrap();
    demo(data.path());
    let file = data.path().join("never.csv");
    for (args, says) in [
        (vec!["--letter", "no-such-letter"], "there is no letter"),
        (
            vec!["--letter", "demo", "--category", "Astronaut"],
            "has no category",
        ),
        (
            vec!["--letter", "demo", "--state", "lost"],
            "write one of pending",
        ),
        (
            vec!["--letter", "demo", "--from", "2026-02-30"],
            "YYYY-MM-DD",
        ),
        (
            vec!["--letter", "demo", "--verification", "maybe"],
            "write verified, domain, organiser or unverified",
        ),
        (
            vec!["--letter", "demo", "--public", "--verification", "domain"],
            "cannot be used with",
        ),
        (
            vec!["--letter", "demo", "--format", "xlsx"],
            "write csv or json",
        ),
        (
            vec!["--letter", "demo", "--public", "--state", "pending"],
            "cannot be used with",
        ),
    ] {
        let mut args = args;
        args.extend(["--output", file.to_str().unwrap()]);
        let (ok, _, stderr) = export(data.path(), &args);
        assert!(!ok, "{args:?}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(!file.exists(), "{args:?} left a file");
    }
}
