//! `undersigned demo`: a fictional workspace, organiser and open letter with a few dozen
//! fictional signatures, so that a newcomer sees a living page at once. Running it again
//! changes nothing but the organiser's password (printed anew each time).
//!
//! Every name here is invented.

use anyhow::Context;
use undersigned_core::{
    DisplayLevel, EmailAddress, LetterState, PersonName, Role, Slug,
    asks::{AskContent, AskStatus, EventDate, ResponseText},
    language::LanguageTag,
    letter::{LetterContent, LetterInput},
    organisation::{Organisation, WebsiteDomain},
    signature::{NewSignature, SignerDetails},
};
use undersigned_server::{
    config::Settings,
    format::now,
    open_store, passwords,
    secrets::{InstanceKeys, Token},
    services::passwords::NewPassword,
};
use undersigned_store::{
    Actor, ImportCommand, NewAskStatus, NewTranslation, NewUser, ResponseContent, WriteCommand,
};

use crate::users::ensure_workspace;

const ORGANISER: &str = "organiser@example.org";

/// Fictional organisations that sign the demo letter: name, website domain, who signs for
/// it (first and last names from the lists below), the colour of its logo (none: no logo),
/// and whether the signer's address is on its domain (otherwise the organiser verified it).
type DemoOrganisation = (
    &'static str,
    &'static str,
    &'static str,
    Option<[u8; 3]>,
    bool,
);

const ORGANISATIONS: [DemoOrganisation; 8] = [
    (
        "Riverside Tenants' Union",
        "riverside-tenants.example",
        "Cato Farrowdale",
        Some([0x1f, 0x6f, 0x8b]),
        true,
    ),
    (
        "Open Pitch Collective",
        "openpitch.example",
        "Noor Elderwyn",
        Some([0xc0, 0x39, 0x2b]),
        true,
    ),
    (
        "Harbour Youth Sports Trust",
        "harbour-youth.example",
        "Jun Corvane",
        Some([0x2e, 0x7d, 0x32]),
        true,
    ),
    (
        "Safe Play Network",
        "safeplay.example",
        "Tove Lindqvane",
        None,
        false,
    ),
    (
        "Northgate Community Law Centre",
        "northgate-law.example",
        "Farid Osterwick",
        Some([0x6a, 0x1b, 0x9a]),
        true,
    ),
    (
        "Coastal Referees' Association",
        "coastal-refs.example",
        "Ulla Brindlemoor",
        Some([0xe6, 0x7e, 0x22]),
        true,
    ),
    (
        "Players Together",
        "players-together.example",
        "Sefa Mistlecombe",
        None,
        true,
    ),
    (
        "Fair Game Foundation",
        "fairgame.example",
        "Lior Vellacourt",
        Some([0x00, 0x79, 0x6b]),
        false,
    ),
];

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

/// The same letter in Spanish: a reader whose browser prefers Spanish reads this one.
const BODY_ES: &str = "Estimada comisionada Solvane:\n\n\
Las organizaciones, sobrevivientes y personas abajo firmantes pedimos a la **Liga de Fútbol \
Meridian** que abra una investigación independiente sobre las conductas denunciadas en sus \
academias juveniles, y que suspenda a los responsables mientras dure.\n\n\
Las personas sobrevivientes han hablado a un alto precio. Merecen:\n\n\
1. una investigación dirigida por personas sin vínculos con la liga;\n\
2. un informe público, con sus recomendaciones y un calendario;\n\
3. apoyo para cada jugador o jugadora que dé el paso.\n\n\
Publicaremos su respuesta junto a esta carta.\n\n\
*Esta es una carta de demostración: la liga, la comisionada y todas las firmas son \
ficticias.*";

/// The instance's store and keys, once the keys are checked to be the ones the database was
/// first used with (for the commands that write signatures: `demo`, `bench-seed`).
pub(crate) async fn open_with_keys(
    settings: &Settings,
) -> anyhow::Result<(undersigned_store::DynStore, InstanceKeys)> {
    let store = open_store(settings).await.context("opening the database")?;
    let keys =
        InstanceKeys::load_or_create(&settings.data_dir).context("loading the instance key")?;
    if !store.check_instance_key(&keys.fingerprint).await? {
        anyhow::bail!(
            "{} holds another instance key than the one this database was first used with",
            settings.data_dir.join("keys").display()
        );
    }
    // As the server does at start: values sealed under an older data key are resealed
    // under the current one, which is then recorded. On a new database this only records
    // it, so the first start after a large import does not read every signature again.
    store
        .reseal_if_needed()
        .await
        .context("sealing personal data under the current data key")?;
    Ok((store, keys))
}

pub async fn run(settings: &Settings) -> anyhow::Result<()> {
    let (store, keys) = open_with_keys(settings).await?;
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
                categories: "Organisation\nActivist\nSurvivor\nSupporter".into(),
                field_title: "optional".into(),
                field_affiliation: "optional".into(),
                field_city: "optional".into(),
                field_country: "hidden".into(),
                field_comment: "optional".into(),
                // Published as signers confirm (a sensitive letter would batch them).
                batch_minutes: String::new(),
                moderation: "publish".into(),
                organisation_category: "Organisation".into(),
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
            let letter = store
                .letter(id)
                .await?
                .context("the demo letter vanished")?;
            demo_asks(&store, actor, &letter).await?;
            store
                .put_translation(
                    actor,
                    letter.id,
                    &NewTranslation {
                        lang: LanguageTag::parse("es")?,
                        title: "Investiguen las academias juveniles de la Liga de Fútbol Meridian"
                            .into(),
                        subject:
                            "Asunto: una investigación independiente, y suspensiones mientras dure"
                                .into(),
                        body_md: BODY_ES.into(),
                    },
                    now(),
                )
                .await?;
            store
                .letter(id)
                .await?
                .context("the demo letter vanished")?
        }
    };

    // A few dozen fictional signatures; importing twice adds nothing (same addresses).
    let started = now();
    let people: Vec<_> = letter.people_categories().collect();
    anyhow::ensure!(
        !people.is_empty(),
        "the demo letter has no category for people"
    );
    let mut commands = (0..36usize)
        .map(|i| {
            let name = format!("{} {}", FIRST[i % FIRST.len()], LAST[(i * 7) % LAST.len()]);
            let email = EmailAddress::parse(&format!("demo-signer-{i}@example.org"))?;
            let category = people[i % people.len()];
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
                organisation: None,
            })))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    // And a few organisations, when the letter takes them (one made by an older demo may not).
    if let Some(category) = letter.organisation_category {
        for (i, (name, domain, signer, colour, on_domain)) in ORGANISATIONS.into_iter().enumerate()
        {
            let logo = match colour {
                Some(colour) => {
                    let logo = undersigned_logo::normalise(&demo_logo(colour, i))
                        .map_err(|e| anyhow::anyhow!("a demo logo: {e}"))?;
                    store
                        .put_logo(
                            undersigned_store::NewLogo {
                                reference: logo.reference(),
                                png: logo.png(),
                                width: logo.width(),
                                height: logo.height(),
                            },
                            now(),
                        )
                        .await?;
                    Some(logo.reference())
                }
                None => None,
            };
            let domain =
                WebsiteDomain::parse(domain).map_err(|e| anyhow::anyhow!("a demo website: {e}"))?;
            let email = if on_domain {
                format!("office@{}", domain.as_str())
            } else {
                format!("demo-organisation-{i}@example.org")
            };
            let signature = NewSignature {
                name: PersonName::parse(signer)?,
                email: EmailAddress::parse(&email)?,
                category_id: category.0,
                display: DisplayLevel::Public,
                details: SignerDetails {
                    title: Some(["Director", "Chair", "Coordinator"][i % 3].to_owned()),
                    ..SignerDetails::default()
                },
            };
            commands.push(WriteCommand::ImportPublished(Box::new(ImportCommand {
                letter: letter.id,
                duplicate_key: keys.duplicates.organisation_key(&domain),
                signature,
                now: started - i64::try_from(40 - i).unwrap_or(0) * 3600,
                salt: undersigned_server::secrets::random_bytes(),
                organisation: Some(Organisation {
                    name: name.to_owned(),
                    website: format!("https://{}/", domain.as_str()),
                    email_on_domain: on_domain,
                    domain,
                    logo,
                }),
            })));
        }
    }
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

/// A fictional organisation's logo: a white mark (a ring, a bar or a diamond, by `shape`)
/// on `colour`, as PNG.
/// What the demo letter asks, the commissioner's answer to the first ask, and its status.
async fn demo_asks(
    store: &undersigned_store::DynStore,
    actor: Actor,
    letter: &undersigned_store::Letter,
) -> anyhow::Result<()> {
    let ask = |text: &str, condition: &str| {
        AskContent::parse(text, condition).map_err(|e| anyhow::anyhow!("a demo ask: {e:?}"))
    };
    let investigation = store
        .add_ask(
            actor,
            letter.id,
            &ask(
                "Open an independent investigation into the academies' safeguarding",
                "",
            )?,
            now(),
        )
        .await?;
    store
        .add_ask(
            actor,
            letter.id,
            &ask(
                "Suspend the academy directors named in the reports while it runs",
                "If the investigation finds the reports were ignored",
            )?,
            now(),
        )
        .await?;
    let commissioner = store
        .letter_asks(letter.id)
        .await?
        .targets
        .first()
        .context("the demo letter has no target")?
        .id;
    let yesterday = EventDate::of_unix(now() - 86_400);
    store
        .add_response(
            actor,
            letter.id,
            &ResponseContent {
                target: commissioner,
                received_on: yesterday,
                text: ResponseText::parse(
                    "The League has received the letter and will name an independent \
                     reviewer **within 30 days**. Its terms of reference will be published.",
                )
                .map_err(|e| anyhow::anyhow!("the demo response: {e}"))?,
            },
            None,
            now(),
        )
        .await?;
    store
        .change_ask_status(
            actor,
            letter.id,
            &NewAskStatus {
                ask: investigation,
                target: commissioner,
                status: AskStatus::Met,
                on: yesterday,
                note: Some("An independent reviewer is to be named within 30 days.".to_owned()),
            },
            now(),
        )
        .await?;
    Ok(())
}

fn demo_logo(colour: [u8; 3], shape: usize) -> Vec<u8> {
    const SIZE: u32 = 192;
    let centre = f64::from(SIZE) / 2.0;
    let image = image::RgbImage::from_fn(SIZE, SIZE, |x, y| {
        let (dx, dy) = (f64::from(x) - centre, f64::from(y) - centre);
        let mark = match shape % 3 {
            0 => (40.0..64.0).contains(&dx.hypot(dy)),
            1 => dy.abs() < 18.0 && dx.abs() < 64.0 || dx.abs() < 18.0 && dy.abs() < 64.0,
            _ => dx.abs() + dy.abs() < 60.0,
        };
        image::Rgb(if mark { [255, 255, 255] } else { colour })
    });
    let mut png = std::io::Cursor::new(Vec::new());
    // Writing to memory cannot fail for lack of space; an error here is a bug.
    image
        .write_to(&mut png, image::ImageFormat::Png)
        .map(|()| png.into_inner())
        .unwrap_or_default()
}
