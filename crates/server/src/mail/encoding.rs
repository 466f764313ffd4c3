//! A text part's body, encoded in one pass: `7bit` when it already is (ASCII in short
//! lines), else quoted-printable (RFC 2045, section 6.7), with CRLF line breaks either way.
//!
//! lettre's own `Body::new` converts the line breaks in one pass, tries each encoding to
//! choose one in another, and quoted-printable-encodes in a third, growing its buffers as it
//! goes: a third of the time it took to build a confirmation email, which the mail worker
//! builds once per signer during a surge.

use lettre::message::{Body, header::ContentTransferEncoding};

/// The longest encoded line, without its CRLF (RFC 2045).
const LINE: usize = 76;

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// `text` as a body for a `text/*` part.
pub fn text_body(text: &str) -> Body {
    if is_seven_bit(text) {
        Body::dangerous_pre_encoded(crlf(text), ContentTransferEncoding::SevenBit)
    } else {
        Body::dangerous_pre_encoded(
            quoted_printable(text),
            ContentTransferEncoding::QuotedPrintable,
        )
    }
}

/// Whether `text` can go as it is: printable ASCII (and tabs) in lines of at most [`LINE`]
/// characters.
fn is_seven_bit(text: &str) -> bool {
    lines(text)
        .all(|line| line.len() <= LINE && line.bytes().all(|b| matches!(b, b'\t' | b' '..=b'~')))
}

/// The lines of `text`, without their line breaks (`\n` or `\r\n`).
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest?;
        Some(match text.split_once('\n') {
            Some((line, after)) => {
                rest = Some(after);
                line.strip_suffix('\r').unwrap_or(line)
            }
            None => {
                rest = None;
                text
            }
        })
    })
}

/// Each line of `text` ended with CRLF (the last one as it was).
fn crlf(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 32 + 2);
    for (i, line) in lines(text).enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(line.as_bytes());
    }
    out
}

/// The bytes quoted-printable writes as they are: printable ASCII but `=`, and spaces and
/// tabs (unless they end a line).
const LITERAL: [bool; 256] = {
    let mut literal = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        literal[byte] = matches!(byte as u8, b'!'..=b'<' | b'>'..=b'~' | b' ' | b'\t');
        byte += 1;
    }
    literal
};

/// `text` in quoted-printable: the [`LITERAL`] bytes as they are, every other byte (and a
/// space or tab that ends a line) as `=XX`; the text's line breaks as CRLF, and lines
/// longer than [`LINE`] broken with a soft break (`=` at the end), never inside an `=XX`.
fn quoted_printable(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 4 + 16);
    let soft_break = |out: &mut Vec<u8>, column: &mut usize| {
        out.extend_from_slice(b"=\r\n");
        *column = 0;
    };
    for (i, line) in lines(text).enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\r\n");
        }
        let line = line.as_bytes();
        let mut column = 0;
        let mut at = 0;
        while at < line.len() {
            // The run of bytes that go as they are, copied in pieces that fit the lines.
            let mut end = at
                + line[at..]
                    .iter()
                    .take_while(|&&b| LITERAL[usize::from(b)])
                    .count();
            if end == line.len() && end > at && matches!(line[end - 1], b' ' | b'\t') {
                end -= 1;
            }
            while at < end {
                let reaches_line_end = end == line.len();
                // What finishes the line may fill it; anything else leaves room for `=`.
                if reaches_line_end && end - at <= LINE - column {
                    out.extend_from_slice(&line[at..end]);
                    column += end - at;
                    at = end;
                    break;
                }
                if column == LINE - 1 {
                    soft_break(&mut out, &mut column);
                }
                let piece = (end - at).min(LINE - 1 - column);
                out.extend_from_slice(&line[at..at + piece]);
                column += piece;
                at += piece;
            }
            // Then one byte that is escaped.
            if let Some(&byte) = line.get(at) {
                let room = if at + 1 == line.len() { LINE } else { LINE - 1 };
                if column + 3 > room {
                    soft_break(&mut out, &mut column);
                }
                out.extend_from_slice(&[
                    b'=',
                    HEX[usize::from(byte >> 4)],
                    HEX[usize::from(byte & 0x0f)],
                ]);
                column += 3;
                at += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a mail client reads back from the body: the text with CRLF line breaks.
    fn decoded(body: &Body) -> String {
        let bytes: &[u8] = body.as_ref();
        let plain = match body.encoding() {
            ContentTransferEncoding::SevenBit => bytes.to_vec(),
            ContentTransferEncoding::QuotedPrintable => {
                quoted_printable::decode(bytes, quoted_printable::ParseMode::Strict)
                    .expect("valid quoted-printable")
            }
            other => panic!("unexpected encoding {other:?}"),
        };
        String::from_utf8(plain).expect("UTF-8")
    }

    fn check(text: &str) {
        let body = text_body(text);
        let bytes: &[u8] = body.as_ref();
        let encoded = std::str::from_utf8(bytes).expect("ASCII");
        for line in encoded.split("\r\n") {
            assert!(line.len() <= LINE, "a line of {}: {line:?}", line.len());
            assert!(
                line.bytes().all(|b| matches!(b, b'\t' | b' '..=b'~')),
                "a byte that is not printable ASCII: {line:?}"
            );
            if body.encoding() == ContentTransferEncoding::QuotedPrintable {
                assert!(
                    !line.ends_with([' ', '\t']),
                    "whitespace ends a line: {line:?}"
                );
            }
        }
        assert!(!encoded.replace("\r\n", "").contains(['\r', '\n']));
        let expected = text.replace("\r\n", "\n").replace('\n', "\r\n");
        assert_eq!(decoded(&body), expected, "for {text:?}");
    }

    #[test]
    fn short_ascii_lines_go_as_they_are() {
        check("a = b");
        let body = text_body("Hello,\n\nplease confirm.\r\n-- \nletters.example.org");
        assert_eq!(body.encoding(), ContentTransferEncoding::SevenBit);
        let bytes: &[u8] = body.as_ref();
        assert_eq!(
            bytes,
            b"Hello,\r\n\r\nplease confirm.\r\n-- \r\nletters.example.org"
        );
    }

    #[test]
    fn long_lines_and_other_characters_are_quoted_printable() {
        let long = "word ".repeat(40);
        for text in [
            long.as_str(),
            "\u{201c}Fair pay\u{201d} \u{2014} a letter",
            "a lone \r in a line",
        ] {
            assert_eq!(
                text_body(text).encoding(),
                ContentTransferEncoding::QuotedPrintable,
                "{text:?}"
            );
            check(text);
        }
        check("a = b\r");
        check("ends with a space \nand a tab\t");
        let body = text_body("caf\u{e9} = 1 \n");
        let bytes: &[u8] = body.as_ref();
        assert_eq!(bytes, b"caf=C3=A9 =3D 1=20\r\n");
    }

    #[test]
    fn soft_breaks_fall_at_the_limit_and_never_inside_an_escape() {
        // 75 letters then an escape: the escape goes on the next line.
        let text = format!("{}\u{e9}", "a".repeat(75));
        let body = text_body(&text);
        let bytes: &[u8] = body.as_ref();
        assert_eq!(
            std::str::from_utf8(bytes).expect("ASCII"),
            format!("{}=\r\n=C3=A9", "a".repeat(75))
        );
        // Exactly 76 on a line of their own need no soft break.
        check(&format!("{}\n{}=", "b".repeat(76), "c".repeat(76)));
        check(&"d".repeat(77));
    }

    #[test]
    fn any_mix_of_pieces_decodes_to_the_text() {
        let pieces = [
            "a",
            "word",
            " ",
            "\t",
            "=",
            "\u{e9}",
            "\u{2014}",
            "\u{1f4ec}",
            "\n",
            "\r\n",
            ".",
            "\r",
            "~",
            "<p>",
            "https://letters.example.org/confirm/AbCdEf",
            "a line of seventy characters, long enough to need a soft break soon..",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..3000 {
            let mut text = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let length = (state % 120) as usize;
            for _ in 0..length {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            check(&text);
        }
    }
}
