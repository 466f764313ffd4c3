//! The languages of the interface and of the emails: the texts are Fluent messages in
//! `locales/{lang}/*.ftl`, compiled into the binary, and every request is answered in one
//! language, chosen per request (never a global one) by [`Requested`]: a `?lang=`
//! in the address (remembered in a cookie), else that cookie, else the browser's
//! `Accept-Language`, else English.
//!
//! Templates and handlers ask for a text with [`t`] (and [`t1`], [`t2`] for texts with
//! values), which answers in the request's language: the language is kept for the task
//! that answers the request, so that a page's parts need not pass it along. The mail worker
//! renders each email in its recipient's language with [`in_language`].

use std::{borrow::Cow, collections::HashMap, future::Future};

use axum::{
    extract::Request,
    http::{HeaderMap, HeaderValue, header},
    response::Response,
};
use fluent_templates::{LanguageIdentifier, fluent_bundle::FluentValue, langid};

use crate::auth::session::read_cookie;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // The texts go into HTML, where `<bdi>` isolates what users typed; Unicode
        // isolation marks would show up in attributes and plain-text emails.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language the interface is translated into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Es,
    Fr,
}

static EN: LanguageIdentifier = langid!("en");
static ES: LanguageIdentifier = langid!("es");
static FR: LanguageIdentifier = langid!("fr");

/// The cookie that remembers a language picked with the switcher.
pub const LANG_COOKIE: &str = "us_lang";

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Es, Lang::Fr];

    /// The language's tag, as in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
            Lang::Fr => "fr",
        }
    }

    /// The language's name in itself, for the switcher.
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
            Lang::Fr => "Français",
        }
    }

    /// The interface language for a language tag (`es`, `es-MX`, `FR-ca`), if we have it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?;
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    /// The first language of an `Accept-Language` header that we have, by its weights
    /// (`fr-CH, fr;q=0.9, en;q=0.8`); English when none.
    pub fn negotiate(accept_language: &str) -> Lang {
        let mut ranges: Vec<(f32, usize, &str)> = accept_language
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let q = pieces
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (!tag.is_empty() && q > 0.0).then_some((q, i, tag))
            })
            .collect();
        // Highest weight first; equal weights keep the order they were sent in.
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranges
            .into_iter()
            .find_map(|(_, _, tag)| Lang::from_tag(tag))
            .unwrap_or_default()
    }

    /// What separates groups of three digits in a count.
    pub fn group_separator(self) -> char {
        match self {
            Lang::En => ',',
            Lang::Es => '.',
            // A narrow no-break space, as French typography asks.
            Lang::Fr => '\u{202f}',
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::En => &EN,
            Lang::Es => &ES,
            Lang::Fr => &FR,
        }
    }

    /// A text in this language (English when this language lacks it).
    pub fn text(self, key: &str, args: Option<&HashMap<Cow<'static, str>, FluentValue>>) -> String {
        // This language, then English: what `lookup_complete` does, without negotiating the
        // language again (a list of the catalog's languages) for every text on a page.
        LOCALES
            .lookup_single_language(self.id(), key, args)
            .or_else(|_| LOCALES.lookup_single_language(&EN, key, args))
            .unwrap_or_else(|_| format!("Unknown localization key: {key:?}"))
    }

    /// Whether this language has a text of its own for `key` (not English's), a message with
    /// no value but `$n`.
    pub fn has(self, key: &str) -> bool {
        // Formatting without its values would fail for a message that has some: the
        // catalog's messages have at most `$n`.
        let args = HashMap::from([("n", FluentValue::from(0))]);
        LOCALES
            .lookup_single_language(self.id(), key, Some(&args))
            .is_ok()
    }
}

tokio::task_local! {
    static CURRENT: Lang;
}

/// The language of the request being answered (English outside of one).
pub fn current() -> Lang {
    CURRENT.try_with(|l| *l).unwrap_or_default()
}

/// Runs `f` in `lang`: what it renders is in that language.
pub fn in_language<R>(lang: Lang, f: impl FnOnce() -> R) -> R {
    CURRENT.sync_scope(lang, f)
}

/// Runs the future `f` in `lang`.
pub async fn scope<F: Future>(lang: Lang, f: F) -> F::Output {
    CURRENT.scope(lang, f).await
}

/// A value for a text: numbers stay numbers, so that the text can choose its plural.
pub trait Arg {
    fn value(&self) -> FluentValue<'static>;
}

impl Arg for str {
    fn value(&self) -> FluentValue<'static> {
        FluentValue::String(Cow::Owned(self.to_owned()))
    }
}

impl Arg for String {
    fn value(&self) -> FluentValue<'static> {
        self.as_str().value()
    }
}

impl<T: Arg + ?Sized> Arg for &T {
    fn value(&self) -> FluentValue<'static> {
        (**self).value()
    }
}

impl<T: Arg> Arg for Option<T> {
    fn value(&self) -> FluentValue<'static> {
        match self {
            Some(v) => v.value(),
            None => FluentValue::None,
        }
    }
}

macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl Arg for $t {
            fn value(&self) -> FluentValue<'static> {
                FluentValue::from(*self)
            }
        }
    )*};
}
number_args!(i64, u64, i32, u32, usize, u16, u8);

/// The text `key` in the request's language.
pub fn t(key: &str) -> String {
    current().text(key, None)
}

/// The text `key` with one value, `$name`.
pub fn t1(key: &str, name: &'static str, value: impl Arg) -> String {
    let args = HashMap::from([(Cow::Borrowed(name), value.value())]);
    current().text(key, Some(&args))
}

/// The text `key` with two values.
pub fn t2(key: &str, n1: &'static str, v1: impl Arg, n2: &'static str, v2: impl Arg) -> String {
    let args = HashMap::from([
        (Cow::Borrowed(n1), v1.value()),
        (Cow::Borrowed(n2), v2.value()),
    ]);
    current().text(key, Some(&args))
}

/// The text `key` with three values.
pub fn t3(
    key: &str,
    n1: &'static str,
    v1: impl Arg,
    n2: &'static str,
    v2: impl Arg,
    n3: &'static str,
    v3: impl Arg,
) -> String {
    let args = HashMap::from([
        (Cow::Borrowed(n1), v1.value()),
        (Cow::Borrowed(n2), v2.value()),
        (Cow::Borrowed(n3), v3.value()),
    ]);
    current().text(key, Some(&args))
}

/// The text `key` with any number of values, all strings.
pub fn t_all<const N: usize>(key: &str, args: [(&'static str, String); N]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .into_iter()
        .map(|(name, value)| (Cow::Borrowed(name), FluentValue::from(value)))
        .collect();
    current().text(key, Some(&args))
}

/// A sentence written in English in the code (a form's error from the core types, a message
/// page), in the request's language: the catalog (`catalog.ftl`) keys each such sentence by
/// its words (`src-` and the words joined by `-`, numbers as `n`, given as `$n`), as gettext
/// keys messages by their source text. A sentence the catalog lacks stays in English.
pub fn localise(english: &str) -> String {
    let lang = current();
    if lang == Lang::En {
        return english.to_owned();
    }
    let (key, number) = catalog_key(english);
    if !lang.has(&key) {
        return english.to_owned();
    }
    let args = number.map(|n| HashMap::from([(Cow::Borrowed("n"), FluentValue::from(n))]));
    lang.text(&key, args.as_ref())
}

/// The catalog key of an English sentence, and its first number.
pub fn catalog_key(english: &str) -> (String, Option<u64>) {
    let mut key = String::from("src-");
    let mut number: Option<u64> = None;
    let mut digits = String::new();
    let mut dash = false;
    for c in english.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if !digits.is_empty() {
            if number.is_none() {
                number = digits.parse().ok();
            }
            digits.clear();
            if dash {
                key.push('-');
            }
            key.push('n');
            dash = false;
        }
        if c.is_ascii_alphabetic() {
            if dash {
                key.push('-');
            }
            key.push(c.to_ascii_lowercase());
            dash = false;
        } else if key.len() > 4 {
            dash = true;
        }
        if key.len() >= 120 {
            break;
        }
    }
    (key, number)
}

/// A value for a text that holds HTML: strings escaped, numbers as they are.
fn escaped(value: impl Arg) -> FluentValue<'static> {
    match value.value() {
        FluentValue::String(s) => FluentValue::String(Cow::Owned(escape_html(&s))),
        other => other,
    }
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A text whose message holds markup (ours: links, emphasis), with one value, escaped:
/// for `{{ …|safe }}` in templates. Values typed by users are always escaped.
pub fn h1(key: &str, name: &'static str, value: impl Arg) -> String {
    let args = HashMap::from([(Cow::Borrowed(name), escaped(value))]);
    current().text(key, Some(&args))
}

/// [`h1`] with two values.
pub fn h2(key: &str, n1: &'static str, v1: impl Arg, n2: &'static str, v2: impl Arg) -> String {
    let args = HashMap::from([
        (Cow::Borrowed(n1), escaped(v1)),
        (Cow::Borrowed(n2), escaped(v2)),
    ]);
    current().text(key, Some(&args))
}

/// [`h1`] with three values.
pub fn h3(
    key: &str,
    n1: &'static str,
    v1: impl Arg,
    n2: &'static str,
    v2: impl Arg,
    n3: &'static str,
    v3: impl Arg,
) -> String {
    let args = HashMap::from([
        (Cow::Borrowed(n1), escaped(v1)),
        (Cow::Borrowed(n2), escaped(v2)),
        (Cow::Borrowed(n3), escaped(v3)),
    ]);
    current().text(key, Some(&args))
}

/// The language a request asks for: `?lang=` (a pick from the switcher), else the cookie
/// that remembers one, else `Accept-Language`.
fn requested(uri_query: Option<&str>, headers: &HeaderMap) -> (Lang, Option<Lang>) {
    let picked = uri_query.and_then(|q| {
        q.split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| Lang::from_tag(v))
    });
    if let Some(lang) = picked {
        return (lang, Some(lang));
    }
    if let Some(lang) = read_cookie(headers, LANG_COOKIE).and_then(Lang::from_tag) {
        return (lang, None);
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    (Lang::negotiate(accept), None)
}

/// The language a request is answered in: the one it asks for, and whether it picked one
/// with the switcher (then a cookie remembers it for a year).
pub struct Requested {
    pub lang: Lang,
    picked: Option<Lang>,
    localised: bool,
}

impl Requested {
    pub fn of(request: &Request) -> Self {
        let (lang, picked) = requested(request.uri().query(), request.headers());
        Self {
            lang,
            picked,
            // Static files are the same in every language.
            localised: !request.uri().path().starts_with("/static/"),
        }
    }

    /// Tells caches that the answer depends on the language asked for (a page does; JSON,
    /// data in no language, does not), and remembers a picked one.
    pub fn mark(&self, response: &mut Response) {
        let localised = self.localised && !crate::pages::is_data(response);
        let headers = response.headers_mut();
        if localised {
            headers.append(
                header::VARY,
                HeaderValue::from_static("Accept-Language, Cookie"),
            );
        }
        if let Some(lang) = self.picked {
            // Not HttpOnly: it holds no secret. Lax: following a link keeps the language.
            let cookie = format!(
                "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
                lang.code()
            );
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                headers.append(header::SET_COOKIE, value);
            }
        }
    }
}

/// The direction of a language's script: right to left for Arabic, Hebrew, Persian, Urdu
/// and the others written that way.
pub fn direction(tag: &str) -> &'static str {
    const RTL: [&str; 12] = [
        "ar", "arc", "ckb", "dv", "fa", "he", "ks", "ps", "sd", "ug", "ur", "yi",
    ];
    let primary = tag.split(['-', '_']).next().unwrap_or_default();
    let script_rtl = tag.split(['-', '_']).skip(1).any(|s| {
        ["arab", "hebr", "thaa", "syrc", "nkoo", "adlm"].contains(&s.to_ascii_lowercase().as_str())
    });
    if script_rtl || RTL.iter().any(|r| r.eq_ignore_ascii_case(primary)) {
        "rtl"
    } else {
        "ltr"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_language_we_have() {
        assert_eq!(Lang::negotiate("es-MX,es;q=0.9,en;q=0.8"), Lang::Es);
        assert_eq!(Lang::negotiate("de-DE, fr;q=0.5, en;q=0.4"), Lang::Fr);
        assert_eq!(Lang::negotiate("en;q=0.2, fr;q=0.9"), Lang::Fr);
        assert_eq!(Lang::negotiate("de, it"), Lang::En);
        assert_eq!(Lang::negotiate("fr;q=0, es;q=0.1"), Lang::Es);
        assert_eq!(Lang::negotiate(""), Lang::En);
        assert_eq!(Lang::negotiate(";;,,q=x"), Lang::En);
    }

    #[test]
    fn counts_are_grouped_as_each_language_groups_them() {
        assert_eq!(
            in_language(Lang::En, || crate::format::count(1234)),
            "1,234"
        );
        assert_eq!(in_language(Lang::Es, || crate::format::count(1234)), "1234");
        assert_eq!(
            in_language(Lang::Es, || crate::format::count(12345)),
            "12.345"
        );
        assert_eq!(
            in_language(Lang::Fr, || crate::format::count(12345)),
            "12\u{202f}345"
        );
        assert_eq!(
            in_language(Lang::Fr, || crate::format::date(1_795_867_200)),
            "28 nov. 2026"
        );
        assert_eq!(
            in_language(Lang::Es, || crate::format::date(1_795_867_200)),
            "28 nov 2026"
        );
    }

    #[test]
    fn scripts_written_right_to_left_are_marked() {
        assert_eq!(direction("ar"), "rtl");
        assert_eq!(direction("he-IL"), "rtl");
        assert_eq!(direction("az-Arab"), "rtl");
        assert_eq!(direction("es"), "ltr");
        assert_eq!(direction("en-GB"), "ltr");
    }

    #[test]
    fn texts_are_in_the_language_asked_for_with_plurals() {
        assert_eq!(
            in_language(Lang::Es, || t("nav-login")),
            "Acceso para organizadores"
        );
        assert_eq!(
            in_language(Lang::En, || t1("signatures-count", "n", 1)),
            "confirmed signature"
        );
        assert_eq!(
            in_language(Lang::En, || t1("signatures-count", "n", 2)),
            "confirmed signatures"
        );
        assert_eq!(
            in_language(Lang::Fr, || t1("signatures-count", "n", 2)),
            "signatures confirmées"
        );
    }

    /// The message ids of a language's `.ftl` files, read from the source tree.
    fn ids(lang: Lang) -> std::collections::BTreeSet<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang.code());
        let mut ids = std::collections::BTreeSet::new();
        for entry in std::fs::read_dir(&dir).expect("a locale folder") {
            let path = entry.expect("an entry").path();
            let text = std::fs::read_to_string(&path).expect("an ftl file");
            if let Err((_, errors)) =
                fluent_templates::fluent_bundle::FluentResource::try_new(text.clone())
            {
                panic!("{}: {errors:?}", path.display());
            }
            // A message starts a line with its id and `=`.
            for line in text.lines() {
                if let Some((id, _)) = line.split_once('=') {
                    let id = id.trim_end();
                    if id.starts_with(|c: char| c.is_ascii_lowercase())
                        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    {
                        assert!(ids.insert(id.to_owned()), "{id} twice in {}", lang.code());
                    }
                }
            }
        }
        ids
    }

    #[test]
    fn sentences_from_the_code_are_keyed_by_their_words() {
        assert_eq!(
            catalog_key("Use at most 100 characters."),
            ("src-use-at-most-n-characters".to_owned(), Some(100))
        );
        assert_eq!(
            catalog_key("Enter your organisation's website, like https://example.org."),
            (
                "src-enter-your-organisation-s-website-like-https-example-org".to_owned(),
                None
            )
        );
        assert_eq!(
            in_language(Lang::Fr, || localise("Use at most 100 characters.")),
            "Utilisez au plus 100 caractères."
        );
        assert_eq!(
            in_language(Lang::Es, || localise("A sentence nobody translated.")),
            "A sentence nobody translated."
        );
    }

    #[test]
    fn values_in_texts_with_markup_are_escaped() {
        let html = in_language(Lang::En, || h1("letter-feed-title", "title", "<b>&"));
        assert_eq!(html, "Updates: &lt;b&gt;&amp;");
    }

    #[test]
    fn every_language_has_every_text() {
        let english = ids(Lang::En);
        assert!(english.len() > 5);
        for lang in [Lang::Es, Lang::Fr] {
            let theirs = ids(lang);
            let missing: Vec<_> = english.difference(&theirs).collect();
            let extra: Vec<_> = theirs.difference(&english).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", lang.code());
            assert!(extra.is_empty(), "{} has unknown {extra:?}", lang.code());
        }
    }

    /// The keys the templates and the code ask for, as the first argument of `t`, `t1`, `t2`, `t3`.
    fn used_keys(dir: &std::path::Path, keys: &mut std::collections::BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("a source folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                used_keys(&path, keys);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let bytes = text.as_bytes();
            for (i, _) in text.match_indices("(\"") {
                let mut start = i;
                while start > 0 && (bytes[start - 1].is_ascii_digit()) {
                    start -= 1;
                }
                if start == 0 || !matches!(bytes[start - 1], b't' | b'h') {
                    continue;
                }
                if start >= 2
                    && (bytes[start - 2].is_ascii_alphanumeric() || bytes[start - 2] == b'_')
                {
                    continue;
                }
                let rest = &text[i + 2..];
                let Some(end) = rest.find('"') else { continue };
                let key = &rest[..end];
                if key.starts_with(|c: char| c.is_ascii_lowercase())
                    && key
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                {
                    keys.insert(key.to_owned());
                }
            }
        }
    }

    #[test]
    fn every_text_the_pages_ask_for_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = std::collections::BTreeSet::new();
        used_keys(&root.join("templates"), &mut used);
        used_keys(&root.join("src"), &mut used);
        assert!(used.contains("skip-link"));
        let english = ids(Lang::En);
        let missing: Vec<_> = used.difference(&english).collect();
        assert!(missing.is_empty(), "no English text for {missing:?}");
    }
}
