//! Typesets a delivery document with N fictional signatories and says how long it took:
//! `cargo run --release -p undersigned-delivery --example render -- 10000 /tmp/delivery.pdf`
//! (the benchmark in `bench/delivery.sh`).

use std::time::Instant;

use undersigned_delivery::{Checkpoint, Document, Group, OrganisationEntry, Target, render};

const FIRST: [&str; 12] = [
    "Ada", "Bruno", "Chidi", "Dana", "Emil", "Farah", "Goran", "Hana", "Ilse", "Jonas", "Kemi",
    "Lior",
];
const LAST: [&str; 10] = [
    "Example",
    "Sample",
    "Fictive",
    "Placeholder",
    "Testwood",
    "Dummer",
    "Mockton",
    "Stubbs",
    "Fakely",
    "Invento",
];
const RTL: [&str; 3] = ["سارة العلي", "يوسف الحداد", "נועה כהן"];

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let out = args
        .next()
        .unwrap_or_else(|| "/tmp/delivery.pdf".to_owned());
    let logo = include_bytes!("logo.png").to_vec();

    let organisations = n / 20;
    let withheld = n / 10;
    let people = n - organisations - withheld;
    let orgs = Group {
        category: "Organisation".into(),
        count: organisations as u64,
        organisations: (0..organisations)
            .map(|i| OrganisationEntry {
                name: format!("{} Coalition {i}", LAST[i % LAST.len()]),
                verified: i % 3 != 0,
                signer: format!("Signed by {} {}, Director", FIRST[i % 12], LAST[i % 10]),
                logo: (i % 2 == 0).then(|| logo.clone()),
            })
            .collect(),
        ..Group::default()
    };
    let survivors = Group {
        category: "Survivor".into(),
        count: withheld as u64,
        withheld: withheld as u64,
        ..Group::default()
    };
    let supporters = Group {
        category: "Supporter".into(),
        count: people as u64,
        people: (0..people)
            .map(|i| {
                if i % 50 == 0 {
                    format!("{}, Lyon", RTL[i % RTL.len()])
                } else {
                    format!(
                        "{} {}, Volunteer, Example Trust {}",
                        FIRST[i % 12],
                        LAST[(i / 12) % 10],
                        i % 97
                    )
                }
            })
            .collect(),
        ..Group::default()
    };
    let document = Document {
        host: "Example Coalition".into(),
        host_website: Some("https://coalition.example".into()),
        host_logo: Some(logo.clone()),
        date: "2 Dec 2026".into(),
        title: "Investigate the academy now".into(),
        subject: "RE: An independent investigation".into(),
        targets: vec![Target {
            name: "Ines Quarry".into(),
            title: Some("Commissioner".into()),
            organisation: Some("Example League".into()),
        }],
        body: Document::body_from_markdown(
            "We, the undersigned, ask you **today** to:\n\n1. open an investigation;\n2. publish its findings.\n\n> Nothing about us without us.",
        ),
        url: "https://letters.example/l/investigate".into(),
        groups: vec![orgs, survivors, supporters],
        total: n as u64,
        log: Checkpoint {
            origin: "letters.example/l/investigate".into(),
            size: n as u64,
            root: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=".into(),
            note: "letters.example/l/investigate\n10000\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— letters.example AAAA\n".into(),
        },
    };
    let started = Instant::now();
    let pdf = match render(&document) {
        Ok(pdf) => pdf,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let elapsed = started.elapsed();
    if let Err(e) = std::fs::write(&out, &pdf) {
        eprintln!("writing {out}: {e}");
        std::process::exit(1);
    }
    println!(
        "{n} signatories: {:.2} s, {} KB, written to {out}",
        elapsed.as_secs_f64(),
        pdf.len() / 1024
    );
}
