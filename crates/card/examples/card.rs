//! Writes a sample share card: `cargo run -p undersigned-card --example card -- out.png`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "card.png".to_owned());
    let png = undersigned_card::render(&undersigned_card::Card {
        title: "Open letter to the Commissioner of the Example League: investigate and sanction",
        count: "1,234 signatures",
        host: "letters.example.org",
    })?;
    std::fs::write(path, png)?;
    Ok(())
}
