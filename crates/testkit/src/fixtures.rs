//! Fictional test data the suites share: the instance's first organiser and a valid letter.

/// The name of the workspace created when an instance is set up.
pub const WORKSPACE_NAME: &str = "Test Coalition";
/// The owner created when an instance is set up.
pub const OWNER_NAME: &str = "Olive Owner";
/// The owner's address.
pub const OWNER_EMAIL: &str = "owner@example.org";
/// The owner's password.
pub const OWNER_PASSWORD: &str = "a long owner password";

/// The fields of a valid letter form with slug `slug`: three categories (Organisation,
/// Survivor, Supporter) and one target.
pub fn letter_fields(slug: &str) -> Vec<(&'static str, String)> {
    vec![
        ("slug", slug.to_owned()),
        ("title", "Investigate the academy now".to_owned()),
        ("subject", "RE: An independent investigation".to_owned()),
        ("body", "We, the undersigned, ask you **today**.".to_owned()),
        (
            "targets",
            "Ines Quarry | Commissioner | Example League".to_owned(),
        ),
        ("categories", "Organisation\nSurvivor\nSupporter".to_owned()),
        ("field_title", "optional".to_owned()),
        ("field_affiliation", "optional".to_owned()),
        ("field_city", "optional".to_owned()),
        ("field_country", "hidden".to_owned()),
        ("field_comment", "optional".to_owned()),
    ]
}

/// Borrows an owned form as the request helpers take it.
pub fn as_form<'a>(fields: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}
