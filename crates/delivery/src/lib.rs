//! The delivery document: a letter as its targets receive it, with its signatories and the
//! checkpoint of its public log at the moment of delivery, typeset as PDF by typst.
//!
//! Nothing a user typed is ever parsed as typst markup. The document's data goes to the
//! template as a JSON file (`/data.json`) that the template reads as plain strings, and the
//! letter's Markdown body is turned into a small tree of blocks and styled runs here, so a
//! name like `#panic()` or `*bold*` is printed as it was written.
//!
//! The fonts (DejaVu Sans and DejaVu Sans Mono: Latin, Greek, Cyrillic, Arabic, Hebrew and
//! more) ship with this crate; no system font is read, so a document looks the same
//! everywhere. Typst applies the Unicode bidirectional algorithm, so right-to-left names
//! read right.

mod markdown;

use std::sync::OnceLock;

use serde::Serialize;
use typst::{
    Library, LibraryExt, World,
    diag::{FileError, FileResult},
    foundations::{Bytes, Datetime},
    syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot},
    text::{Font, FontBook},
    utils::LazyHash,
};
use typst_layout::PagedDocument;

pub use markdown::{Block, Run};

/// The template, compiled into the binary.
const TEMPLATE: &str = include_str!("delivery.typ");

const FONTS: [&[u8]; 4] = [
    include_bytes!("../fonts/DejaVuSans.ttf"),
    include_bytes!("../fonts/DejaVuSans-Bold.ttf"),
    include_bytes!("../fonts/DejaVuSans-Oblique.ttf"),
    include_bytes!("../fonts/DejaVuSansMono.ttf"),
];

/// Everything the document shows. Strings are printed as they are.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Document {
    /// The workspace that hosts the letter.
    pub host: String,
    pub host_website: Option<String>,
    /// The host's logo as PNG bytes.
    #[serde(skip)]
    pub host_logo: Option<Vec<u8>>,
    /// The date of delivery, written out ("2 December 2026").
    pub date: String,
    pub title: String,
    pub subject: String,
    pub targets: Vec<Target>,
    /// The letter's body, from its Markdown with [`Document::body_from_markdown`].
    pub body: Vec<Block>,
    /// The public letter's address.
    pub url: String,
    /// Signatories by category, in the letter's order of categories.
    pub groups: Vec<Group>,
    /// All published signatures.
    pub total: u64,
    pub log: Checkpoint,
}

/// An addressee.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Target {
    pub name: String,
    pub title: Option<String>,
    pub organisation: Option<String>,
}

/// The signatories of one category.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Group {
    pub category: String,
    /// How many signed in this category, shown or not.
    pub count: u64,
    pub organisations: Vec<OrganisationEntry>,
    /// Individuals as the public page shows them ("Name, Title, Affiliation", or initials).
    pub people: Vec<String>,
    /// Signatures counted but never shown (private).
    pub withheld: u64,
}

/// An organisation that signed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OrganisationEntry {
    pub name: String,
    /// Whether the authority to sign for it was verified.
    pub verified: bool,
    /// "Name, Title" of the person who signed for it.
    pub signer: String,
    /// Its logo as PNG bytes.
    #[serde(skip)]
    pub logo: Option<Vec<u8>>,
}

/// The log's signed checkpoint at the moment of delivery.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    /// The root hash, base64 as in the checkpoint.
    pub root: String,
    /// The whole signed note.
    pub note: String,
}

impl Document {
    /// Turns the letter's Markdown body into the document's blocks.
    pub fn body_from_markdown(markdown: &str) -> Vec<Block> {
        markdown::blocks(markdown)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("the delivery document could not be typeset: {0}")]
    Typeset(String),
    #[error("the delivery document could not be written as PDF: {0}")]
    Pdf(String),
    #[error("the delivery document's data could not be prepared")]
    Data(#[from] serde_json::Error),
}

/// What the template reads: the document, with logos replaced by the names of the files
/// that hold them.
#[derive(Serialize)]
struct TemplateData<'a> {
    #[serde(flatten)]
    document: &'a Document,
    host_logo: Option<String>,
    logos: Vec<Vec<Option<String>>>,
}

/// Typesets `document` as PDF. CPU-bound (about a second for thousands of names): call it
/// from a blocking thread.
pub fn render(document: &Document) -> Result<Vec<u8>, DeliveryError> {
    let mut files: Vec<(FileId, Bytes)> = Vec::new();
    let host_logo = document.host_logo.as_ref().map(|png| {
        let name = "/host-logo.png".to_owned();
        files.push((file_id(&name), Bytes::new(png.clone())));
        name
    });
    let mut logos = Vec::with_capacity(document.groups.len());
    for (g, group) in document.groups.iter().enumerate() {
        let mut names = Vec::with_capacity(group.organisations.len());
        for (o, organisation) in group.organisations.iter().enumerate() {
            names.push(organisation.logo.as_ref().map(|png| {
                let name = format!("/logo-{g}-{o}.png");
                files.push((file_id(&name), Bytes::new(png.clone())));
                name
            }));
        }
        logos.push(names);
    }
    let data = serde_json::to_vec(&TemplateData {
        document,
        host_logo,
        logos,
    })?;
    files.push((file_id("/data.json"), Bytes::new(data)));

    let world = DeliveryWorld {
        main: Source::new(file_id("/delivery.typ"), TEMPLATE.to_owned()),
        files,
        fonts: fonts(),
    };
    let pdf = typeset(&world, &document.url);
    // typst memoises across documents; a server typesets rarely, so it keeps nothing.
    comemo::evict(0);
    pdf
}

fn typeset(world: &DeliveryWorld, ident: &str) -> Result<Vec<u8>, DeliveryError> {
    let compiled = typst::compile::<PagedDocument>(world);
    let paged = compiled.output.map_err(|errors| {
        DeliveryError::Typeset(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom(ident.to_owned()),
        creator: typst::foundations::Smart::Custom(Some("Undersigned".to_owned())),
        ..Default::default()
    };
    typst_pdf::pdf(&paged, &options).map_err(|errors| {
        DeliveryError::Pdf(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

fn file_id(path: &str) -> FileId {
    // Every path here is a constant or built from numbers, and valid.
    let path = VirtualPath::new(path).unwrap_or_else(|_| {
        VirtualPath::new("/invalid").unwrap_or_else(|_| unreachable!("a valid path"))
    });
    RootedPath::new(VirtualRoot::Project, path).intern()
}

struct Fonts {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

/// The library and the fonts, loaded once per process.
fn fonts() -> &'static Fonts {
    static FONTS_ONCE: OnceLock<Fonts> = OnceLock::new();
    FONTS_ONCE.get_or_init(|| {
        let fonts: Vec<Font> = FONTS
            .iter()
            .flat_map(|bytes| Font::iter(Bytes::new(*bytes)))
            .collect();
        Fonts {
            library: LazyHash::new(Library::builder().build()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    })
}

struct DeliveryWorld {
    main: Source,
    files: Vec<(FileId, Bytes)>,
    fonts: &'static Fonts,
}

impl World for DeliveryWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.fonts.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files
            .iter()
            .find(|(file, _)| *file == id)
            .map(|(_, bytes)| bytes.clone())
            .ok_or(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        // The template prints the date it is given, never the clock's.
        None
    }
}
