//! `undersigned demo`: a fictional workspace, organiser and open letter with a few dozen
//! fictional signatures, so that a newcomer sees a living page at once. Running it again
//! changes nothing but the organiser's password (printed anew each time).
//!
//! Every name here is invented.

use anyhow::Context;
use undersigned_core::{
    DisplayLevel, EmailAddress, LetterState, PersonName, Role, Slug,
    letter::{LetterContent, LetterInput},
    signature::{NewSignature, SignerDetails},
};
use undersigned_server::{
    config::Settings,
    format::now,
    open_store, passwords,
    secrets::{InstanceKeys, Token},
    services::passwords::NewPassword,
};
use undersigned_store::{Actor, ImportCommand, NewUser, WriteCommand};

use crate::users::ensure_workspace;

const ORGANISER: &str = "organiser@example.org";

const FIRST: [&str; 26] = [
    "Ada", "Bram", "Cato", "Delphine", "Eshe", "Farid", "Greta", "Hollis", "Ines", "Jun", "Kalani",
    "Lior", "Mireille", "Noor", "Odile", "Pax", "Quinn", "Rosalind", "Sefa", "Tove", "Ulla",
    "Vito", "Wren", "Xiomara", "Yusra", "Zeno",
];
const LAST: [&str; 12] = [
    "Thistlewick",
    "Oakhallow",
    "Brindlemoor",
    "Farrowdale",
    "Elderwyn",
    "Mistlecombe",
    "Penhallow-Ree",
    "Corvane",
    "Lindqvane",
    "Osterwick",
    "Vellacourt",
    "Wrenfield-Ashe",
];
const CITIES: [&str; 8] = [
    "Lyon",
    "Accra",
    "Porto",
    "Tampere",
    "Valparaíso",
    "Leeds",
    "Kraków",
    "Dunedin",
];
const AFFILIATIONS: [&str; 5] = [
    "Riverside Tenants' Union",
    "Open Pitch Collective",
    "Harbour Youth Sports Trust",
    "Safe Play Network",
    "Northgate Community Law Centre",
];

const BODY: &str = "Dear Commissioner Solvane,\n\n\
We, the undersigned organisations, survivors and supporters, ask the **Meridian Football \
League** to open an independent investigation into the conduct reported at its youth \
academies, and to suspend those responsible while it runs.\n\n\
Survivors have spoken at great cost. They deserve:\n\n\
1. an investigation led by people with no ties to the league;\n\
2. a public report, with its recommendations and a timetable;\n\
3. support for every player who comes forward.\n\n\
We will publish your answer alongside this letter.\n\n\
*This is a demonstration letter: the league, the commissioner and every signatory are \
fictional.*";

pub async fn run(settings: &Settings) -> anyhow::Result<()> {
    let store = open_store(settings).await.context("opening the database")?;
    let keys =
        InstanceKeys::load_or_create(&settings.data_dir).context("loading the instance key")?;
    if !store.check_instance_key(&keys.fingerprint).await? {
        anyhow::bail!(
            "{} holds another instance key than the one this database was first used with",
            settings.data_dir.join("keys").display()
        );
    }
    let workspace_slug = Slug::parse("demo-coalition")?;
    let workspace = ensure_workspace(&store, &workspace_slug, Some("Demo Coalition")).await?;

    // The organiser, with a fresh password each run so that the login printed below works.
    let password = Token::generate().as_str()[..20].to_owned();
    let hash = passwords(settings)?
        .hash(NewPassword::parse(&password).map_err(|e| anyhow::anyhow!("{e}"))?)
        .await
        .context("hashing the password")?;
    let user = match store.user_by_email(ORGANISER).await? {
        Some(user) => {
            store.set_password(user.id, &hash).await?;
            user.id
        }
        None => {
            store
                .create_user(NewUser {
                    email: ORGANISER.into(),
                    name: "Demo Organiser".into(),
                    password_hash: hash,
                    created_at: now(),
                })
                .await?
        }
    };
    store.set_membership(workspace, user, Role::Owner).await?;
    let actor = Actor { user, workspace };

    let letter = match store.letter_by_slug("demo").await? {
        Some(letter) if letter.workspace_id != workspace => {
            anyhow::bail!(
                "a letter at /l/demo exists in another workspace; the demo leaves it alone"
            )
        }
        Some(letter) if letter.state == LetterState::Draft => {
            // An earlier run stopped before opening it.
            store
                .change_letter_state(actor, letter.id, LetterState::Open, now())
                .await?;
            letter
        }
        Some(letter) => letter,
        None => {
            let input = LetterInput {
                slug: "demo".into(),
                title: "Investigate the Meridian Football League's youth academies".into(),
                subject: "RE: An independent investigation, and suspensions while it runs".into(),
                body: BODY.into(),
                targets: "Ingrid Solvane | Commissioner | Meridian Football League\n\
                          The Board of Governors | | Meridian Football League"
                    .into(),
                categories: "Activist\nSurvivor\nSupporter".into(),
                field_title: "optional".into(),
                field_affiliation: "optional".into(),
                field_city: "optional".into(),
                field_country: "hidden".into(),
                field_comment: "optional".into(),
                // Published as signers confirm (a sensitive letter would batch them).
                batch_minutes: String::new(),
                moderation: "publish".into(),
                organisation_category: String::new(),
                // Survivors may sign with initials or privately, and no city is shown
                // for them: in a small town, initials and a city can name someone.
                rules: [
                    ("rule_1_name", "Survivor"),
                    ("rule_1_initials", "on"),
                    ("rule_1_private", "on"),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            };
            let content = LetterContent::parse(&input)
                .map_err(|e| anyhow::anyhow!("the demo letter is invalid: {e:?}"))?;
            let id = store.create_letter(actor, &content, now()).await?;
            store
                .change_letter_state(actor, id, LetterState::Open, now())
                .await?;
            store
                .letter(id)
                .await?
                .context("the demo letter vanished")?
        }
    };

    // A few dozen fictional signatures; importing twice adds nothing (same addresses).
    let started = now();
    let commands = (0..36usize)
        .map(|i| {
            let name = format!("{} {}", FIRST[i % FIRST.len()], LAST[(i * 7) % LAST.len()]);
            let email = EmailAddress::parse(&format!("demo-signer-{i}@example.org"))?;
            let category = &letter.categories[i % letter.categories.len()];
            let wanted = match i % 7 {
                0 | 3 => DisplayLevel::Initials,
                5 => DisplayLevel::Private,
                _ => DisplayLevel::Public,
            };
            // What the category allows: the nearest level that shows less.
            let display = DisplayLevel::ALL
                .into_iter()
                .skip_while(|l| *l != wanted)
                .find(|l| category.rule.allows(*l))
                .unwrap_or(DisplayLevel::Private);
            // Some initials signers ask for their city to be shown.
            let show_city = category.rule.city()
                && match display {
                    DisplayLevel::Public => true,
                    DisplayLevel::Initials => i % 2 == 0,
                    DisplayLevel::Private => false,
                };
            let signature = NewSignature {
                name: PersonName::parse(&name)?,
                email,
                category_id: category.id.0,
                display,
                details: SignerDetails {
                    title: (i % 3 == 0).then(|| "Coach".to_owned()),
                    affiliation: (i % 2 == 0)
                        .then(|| AFFILIATIONS[i % AFFILIATIONS.len()].to_owned()),
                    city: Some(CITIES[i % CITIES.len()].to_owned()),
                    country: None,
                    comment: (i % 9 == 4).then(|| "Players deserve to be heard.".to_owned()),
                    show_city,
                },
            };
            Ok(WriteCommand::ImportPublished(Box::new(ImportCommand {
                letter: letter.id,
                duplicate_key: keys.duplicates.key("signature", &signature.email),
                signature,
                now: started - i64::try_from(36 - i).unwrap_or(0) * 3600,
                salt: undersigned_server::secrets::random_bytes(),
            })))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let results = store.commit_batch(commands).await?;
    let added = results
        .iter()
        .filter(|r| {
            matches!(
                r,
                Ok(undersigned_store::WriteOutcome::Imported {
                    duplicate: false,
                    ..
                })
            )
        })
        .count();
    if let Some(Err(e)) = results.iter().find(|r| r.is_err()) {
        anyhow::bail!("a demo signature was refused: {e}");
    }
    if added > 0 {
        store
            .record_audit(
                actor,
                "signatures.import",
                "letter demo",
                &format!("{added} fictional demo signatures"),
                now(),
            )
            .await?;
    }
    store.close().await;

    let public = settings.public()?;
    println!("Demo ready ({added} new signatures).");
    println!("  Letter:    {}", public.url("/l/demo"));
    println!("  Organiser: {}", public.url("/login"));
    println!("    email:    {ORGANISER}");
    println!("    password: {password}");
    Ok(())
}
