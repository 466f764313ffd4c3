//! Signing: `POST /l/{slug}/sign`, then `GET /l/{slug}/check-email`.
//!
//! A new signer, a repeat signer and a signer who already confirmed all see the same
//! "check your email" page; only the email they receive differs. So the page reveals nothing
//! about who has signed.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use undersigned_core::{
    letter::FieldErrors,
    organisation::{NewOrganisationSignature, Organisation},
    signature::{NewSignature, SignInput},
};
use undersigned_store::{SignCommand, SignOutcome, WriteCommand, WriteOutcome};

use crate::{
    client::ClientIp,
    extract::SignForm,
    mail::messages::EmailParams,
    pages::{Layout, PageError, message, render, retry_after as retry_after_header},
    secrets::Token,
    state::AppState,
    views::letter::{LetterPage, PageState},
};

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("the letter is not open")]
    NotOpen { slug: String },
    /// The per-domain cap: too many sign-ups to addresses at the signer's email provider
    /// this hour. Nothing was stored.
    #[error("too many sign-ups to this provider; retry in {retry_after} s")]
    ProviderBusy { slug: String, retry_after: u64 },
    /// The organisation form was posted to a letter that names no category for
    /// organisations.
    #[error("the letter takes no organisation signatures")]
    NoOrganisations { slug: String },
    #[error(transparent)]
    Page(#[from] PageError),
}

impl IntoResponse for SignError {
    fn into_response(self) -> Response {
        match self {
            SignError::NotOpen { slug } => message(
                StatusCode::CONFLICT,
                "This letter is not taking signatures",
                "Signing has closed for this letter, so your signature was not recorded.",
                Some((&format!("/l/{slug}"), "Back to the letter")),
            ),
            SignError::ProviderBusy { slug, retry_after } => {
                let minutes = retry_after.div_ceil(60).max(1);
                let mut response = message(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many sign-ups to addresses at this provider right now",
                    &format!(
                        "To protect people's mailboxes, this site sends only so many emails an \
                         hour to addresses at one email provider, and that many have gone to \
                         yours this hour. Your signature was not recorded: please try again in \
                         {minutes} {}.",
                        if minutes == 1 { "minute" } else { "minutes" }
                    ),
                    Some((&format!("/l/{slug}#sign"), "Back to the letter")),
                );
                retry_after_header(&mut response, retry_after);
                response
            }
            SignError::NoOrganisations { slug } => message(
                StatusCode::UNPROCESSABLE_ENTITY,
                "This letter does not take signatures from organisations",
                "Its organisers chose to collect signatures from people only, so your \
                 organisation's signature was not recorded. You can sign as yourself, and name \
                 your organisation in your details if the form asks for it.",
                Some((&format!("/l/{slug}#sign"), "Back to the letter")),
            ),
            SignError::Page(e) => e.into_response(),
        }
    }
}

/// Where the signing form posts. Exempt from the Origin check: the form is public (no
/// session, no cookie), it is also shown in embeds on other sites, and a signature counts
/// only once its email address confirms it.
pub const SIGN_ROUTE: &str = "/l/{slug}/sign";

/// `POST /l/{slug}/sign`
pub async fn sign(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    Path(slug): Path<String>,
    SignForm { form: input, logo }: SignForm<SignInput>,
) -> Result<Response, SignError> {
    let view = state
        .reads
        .public_letter(&slug)
        .await
        .map_err(PageError::from)?;
    let letter = &view.letter;
    let not_open = || SignError::NotOpen {
        slug: letter.slug.clone(),
    };
    if !letter
        .state
        .takes_signatures(letter.closes_at, state.clock.now())
    {
        return Err(not_open());
    }

    let parsed = if input.for_organisation() {
        let category = letter
            .organisation_category
            .ok_or_else(|| SignError::NoOrganisations {
                slug: letter.slug.clone(),
            })?;
        NewOrganisationSignature::parse(&input, category.0)
            .map(|org| (org.signature, Some(org.organisation)))
    } else {
        NewSignature::parse(
            &input,
            &letter.people_category_rules(),
            &letter.signer_fields,
        )
        .map(|signature| (signature, None))
    };
    // An organisation's logo: decoded with limits and re-encoded, or a message at the field.
    let logo = match logo.filter(|_| input.for_organisation()) {
        Some(bytes) => Some(
            tokio::task::spawn_blocking(move || undersigned_logo::normalise(&bytes))
                .await
                .map_err(|e| PageError::Internal(format!("reading a logo: {e}")))?,
        ),
        None => None,
    };
    let (signature, organisation): (NewSignature, Option<Organisation>) = match (parsed, logo) {
        (Ok(_), Some(Err(e))) => {
            let mut errors = FieldErrors::default();
            errors.add("logo", e);
            return form_again(&state, &view, input, errors).await;
        }
        (Err(mut errors), logo) => {
            if let Some(Err(e)) = logo {
                errors.add("logo", e);
            }
            return form_again(&state, &view, input, errors).await;
        }
        (Ok(parsed), logo) => {
            if let (Some(Ok(logo)), Some(_)) = (&logo, &parsed.1) {
                state
                    .store
                    .put_logo(
                        undersigned_store::NewLogo {
                            reference: logo.reference(),
                            png: logo.png(),
                            width: logo.width(),
                            height: logo.height(),
                        },
                        state.clock.now(),
                    )
                    .await
                    .map_err(PageError::from)?;
            }
            let reference = logo.and_then(Result::ok).map(|l| l.reference());
            (
                parsed.0,
                parsed.1.map(|o| Organisation {
                    logo: reference,
                    ..o
                }),
            )
        }
    };

    // Only well-formed signatures count against the client's allowance, so that people
    // sharing an address (a campus, a mobile network) are not held back by typos.
    state
        .sign_limiter
        .check(&client)
        .map_err(|wait| PageError::TooManyRequests(wait.0))?;

    let token = Token::ordered();
    let signed_at = state.clock.now();
    let token_expires_at =
        signed_at + i64::try_from(state.settings.confirmation_link_seconds).unwrap_or(i64::MAX / 2);
    let params = EmailParams {
        instance: state.instance().to_owned(),
        letter_title: letter.title.clone(),
        letter_url: state.public.url(&format!("/l/{}", letter.slug)),
        confirm_link: state.public.url(&format!("/confirm/{}", token.as_str())),
        expires_at: token_expires_at,
        lang: crate::i18n::current().code().to_owned(),
    };
    let keys = &state.keys.duplicates;
    // An organisation signs a letter once, by its website's domain, whoever signs for it.
    let duplicate_key = match &organisation {
        Some(organisation) => keys.organisation_key(&organisation.domain),
        None => keys.key("signature", &signature.email),
    };
    let command = SignCommand {
        letter: letter.id,
        duplicate_key,
        recipient_key: keys.recipient_key(&signature.email),
        domain_key: keys.domain_key(&signature.email),
        mail_limits: state.settings.mail_limits(),
        signature,
        token_hash: token.hash(),
        now: signed_at,
        token_expires_at,
        email_params: serde_json::to_string(&params)
            .map_err(|e| PageError::Internal(format!("email parameters: {e}")))?,
        organisation,
        updates: input.wants_updates(),
        lang: Some(crate::i18n::current().code().to_owned()),
        sealed: None,
    };
    match state
        .writer
        .submit(WriteCommand::Sign(Box::new(command)))
        .await
        .map_err(PageError::from)?
    {
        WriteOutcome::Sign(SignOutcome::LetterNotOpen) => Err(not_open()),
        WriteOutcome::Sign(SignOutcome::DomainBusy { retry_after }) => {
            Err(SignError::ProviderBusy {
                slug: letter.slug.clone(),
                retry_after: u64::try_from(retry_after).unwrap_or(1).max(1),
            })
        }
        // Whether an email went out is not for the page to say: it would tell anyone who
        // types an address whether its owner signed.
        WriteOutcome::Sign(_) => {
            Ok(Redirect::to(&format!("/l/{}/check-email", letter.slug)).into_response())
        }
        other => Err(PageError::Internal(format!("unexpected outcome {other:?}")).into()),
    }
}

/// The letter page again, with the form as posted (the organisation's form if that was
/// the one) and a message at each wrong field.
async fn form_again(
    state: &AppState,
    view: &crate::services::reads::LetterView,
    input: SignInput,
    errors: FieldErrors,
) -> Result<Response, SignError> {
    let layout =
        Layout::new(state.instance(), view.letter.title.clone()).with_host(view.host.as_ref());
    let page_state = PageState {
        before: None,
        grid_after: None,
        organisation_form: input.for_organisation(),
        input,
        errors,
        preview: false,
        text: None,
    };
    let page = LetterPage::build(state, view, page_state, layout).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

#[derive(Template)]
#[template(path = "check_email.html")]
struct CheckEmailPage {
    layout: Layout,
    slug: String,
    title: String,
    link_lifetime: String,
}

/// "7 days", "3 hours", "45 minutes".
fn lifetime(seconds: u64) -> String {
    let (n, unit) = if seconds >= 2 * 86_400 {
        (seconds / 86_400, "days")
    } else if seconds >= 2 * 3600 {
        (seconds / 3600, "hours")
    } else {
        (seconds.div_ceil(60).max(1), "minutes")
    };
    format!("{n} {unit}")
}

/// `GET /l/{slug}/check-email`
pub async fn check_email(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let view = state
        .reads
        .public_letter(&slug)
        .await
        .map_err(PageError::from)?;
    Ok(render(
        StatusCode::OK,
        &CheckEmailPage {
            layout: Layout::new(state.instance(), "Check your email").with_host(view.host.as_ref()),
            slug: view.letter.slug.clone(),
            title: view.letter.title.clone(),
            link_lifetime: lifetime(state.settings.confirmation_link_seconds),
        },
    ))
}

/// `GET /l/{slug}/sign`: someone reloaded the form's address; send them to the letter.
pub async fn sign_get(Path(slug): Path<String>) -> Response {
    match undersigned_core::Slug::parse(&slug) {
        Ok(slug) => Redirect::to(&format!("/l/{slug}#sign")).into_response(),
        Err(_) => PageError::NotFound.into_response(),
    }
}
