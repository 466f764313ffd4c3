//! Charts of a letter's signatures, drawn on the server as inline SVG: pictures that work
//! without JavaScript. Pure functions from the counts to markup.
//!
//! Each chart is an `<svg role="img">` labelled by its caption (a sentence that says what it
//! shows), and its template follows it with the same numbers as a table in a `<details>`.
//! Every text drawn is escaped here; the tables are escaped by the template. The marks are
//! drawn in the page's accent colour (at least 4.5:1 against the page, see
//! [`undersigned_core::colour`]) and the words in its muted ink.

use std::fmt::Write as _;

use undersigned_store::DayCount;

use crate::{
    format,
    i18n::{t, t_all, t2},
};

/// The drawing's size in SVG units; the page scales it to its width.
const WIDTH: f64 = 480.0;
const TIME_HEIGHT: f64 = 220.0;
/// Room for the count labels on the left and the dates below.
const LEFT: f64 = 52.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 30.0;
/// A category's row: its name, then its bar.
const ROW: f64 = 44.0;
const BAR: f64 = 18.0;
/// Category names longer than this are shortened in the drawing (the table has them whole).
const MAX_NAME_CHARS: usize = 48;

/// A chart ready for `parts/charts.html`.
#[derive(Debug, Clone)]
pub struct Chart {
    /// The `<svg>` element, escaped: rendered as it is.
    pub svg: String,
    /// What it shows, in one or two sentences (its caption, and its accessible name).
    pub summary: String,
    /// The table's header cells.
    pub columns: Vec<String>,
    /// The table's rows, unescaped (the template escapes them).
    pub rows: Vec<Vec<String>>,
}

/// The letter's two charts, when there is anything to draw.
#[derive(Debug, Clone, Default)]
pub struct Charts {
    pub over_time: Option<Chart>,
    pub by_category: Option<Chart>,
}

impl Charts {
    /// Both charts from the same numbers the page's counts come from.
    pub fn of(days: &[DayCount], categories: &[(String, u64)]) -> Self {
        Self {
            over_time: over_time(days),
            by_category: by_category(categories),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.over_time.is_none() && self.by_category.is_none()
    }
}

/// Escapes text for SVG (XML) content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
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

/// A round step for about `max / target` at a time: 1, 2 or 5 times a power of ten, at
/// least 1.
fn nice_step(max: u64, target: u64) -> u64 {
    let raw = max.div_ceil(target.max(1)).max(1);
    let mut power = 1u64;
    loop {
        for m in [1, 2, 5] {
            let step = m * power;
            if step >= raw {
                return step;
            }
        }
        match power.checked_mul(10) {
            Some(p) => power = p,
            None => return raw,
        }
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn month_name(m: i64) -> String {
    crate::i18n::t1("month-short", "m", m)
}

/// "3 Dec".
fn day_label(day: i64) -> String {
    let (_, m, d) = format::civil_from_days(day);
    format!("{d} {}", month_name(m))
}

/// The date ticks between `first` and `last` (days, inclusive): every day for a week, then
/// every few days, weeks, months or years, never more than about six.
fn date_ticks(first: i64, last: i64) -> Vec<(i64, String)> {
    let span = last - first;
    if span <= 62 {
        let step = match span {
            0..=6 => 1,
            7..=13 => 2,
            14..=27 => 7,
            _ => 14,
        };
        return (first..=last)
            .step_by(step)
            .map(|d| (d, day_label(d)))
            .collect();
    }
    // Months: the first of every month (or every second, third, sixth) in the range.
    let months = span / 30;
    let every = match months {
        0..=6 => 1,
        7..=12 => 2,
        13..=24 => 3,
        25..=48 => 6,
        _ => 12,
    };
    let (mut y, mut m, _) = format::civil_from_days(first);
    // Start at the first month after `first`.
    m += 1;
    if m > 12 {
        m = 1;
        y += 1;
    }
    let mut ticks = Vec::new();
    let mut last_year = None;
    loop {
        let day = days_from_civil(y, m, 1);
        if day > last || ticks.len() > 24 {
            break;
        }
        if (m - 1) % every == 0 {
            let label = if every == 12 {
                y.to_string()
            } else if last_year != Some(y) {
                format!("{} {y}", month_name(m))
            } else {
                month_name(m).to_owned()
            };
            last_year = Some(y);
            ticks.push((day, label));
        }
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    ticks
}

/// Cumulative signatures over time: an area under a line from nothing before the first day
/// to the total after the last, with the counts up the side and the dates along the bottom.
/// None when nobody's signature is counted yet.
pub fn over_time(days: &[DayCount]) -> Option<Chart> {
    let mut days: Vec<DayCount> = days.iter().copied().filter(|d| d.signatures > 0).collect();
    days.sort_by_key(|d| d.day);
    let first = days.first()?.day;
    let last = days.last()?.day;
    let total: u64 = days.iter().map(|d| d.signatures).sum();

    // x runs over the days from the start of the first to the end of the last.
    let (x0, x1) = (first, last + 1);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = TIME_HEIGHT - TOP - BOTTOM;
    let x = |day: i64| LEFT + plot_w * (day - x0) as f64 / (x1 - x0) as f64;
    let step = nice_step(total, 4);
    let top = total.div_ceil(step) * step;
    let y = |n: u64| TOP + plot_h - plot_h * n as f64 / top as f64;

    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart-svg\" role=\"img\" aria-labelledby=\"chart-time-caption\" \
         viewBox=\"0 0 {WIDTH} {TIME_HEIGHT}\" preserveAspectRatio=\"xMinYMin meet\" \
         xmlns=\"http://www.w3.org/2000/svg\">"
    );
    // The count grid and labels.
    let mut tick = 0;
    while tick <= top {
        let ty = y(tick);
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{ty:.1}\" y2=\"{ty:.1}\"/>\
             <text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            ty + 4.0,
            escape(&format::count(tick)),
        );
        tick += step;
    }
    // The line: zero at the start of the first day, then the running total at the end of
    // each day with signatures (flat across days without).
    let mut points = vec![(x(x0), y(0))];
    let mut running = 0u64;
    for d in &days {
        points.push((x(d.day), y(running)));
        running += d.signatures;
        points.push((x(d.day + 1), y(running)));
    }
    points.dedup();
    let line: Vec<String> = points
        .iter()
        .map(|(px, py)| format!("{px:.1},{py:.1}"))
        .collect();
    let _ = write!(
        svg,
        "<polygon class=\"area\" points=\"{},{:.1} {} {:.1},{:.1}\"/>\
         <polyline class=\"line\" points=\"{}\"/>",
        LEFT,
        y(0),
        line.join(" "),
        x(x1),
        y(0),
        line.join(" "),
    );
    // The baseline and the dates.
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>",
        WIDTH - RIGHT,
        y(0),
        y(0),
    );
    let ticks = date_ticks(first, last);
    for (i, (day, label)) in ticks.iter().enumerate() {
        // A day's label sits under the middle of the day; a month's at its start.
        let tx = if last - first <= 62 {
            x(*day) + (x(day + 1) - x(*day)) / 2.0
        } else {
            x(*day)
        };
        let anchor = if ticks.len() == 1 {
            "middle"
        } else if i == 0 && tx < LEFT + 24.0 {
            "start"
        } else if i + 1 == ticks.len() && tx > WIDTH - RIGHT - 24.0 {
            "end"
        } else {
            "middle"
        };
        let _ = write!(
            svg,
            "<line class=\"tick\" x1=\"{tx:.1}\" x2=\"{tx:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>\
             <text class=\"label\" x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
            y(0),
            y(0) + 4.0,
            y(0) + 18.0,
            escape(label),
        );
    }
    svg.push_str("</svg>");

    let busiest = days
        .iter()
        .max_by_key(|d| (d.signatures, -d.day))
        .copied()?;
    let summary = if first == last {
        t2(
            "chart-time-one-day",
            "signatures",
            format::signatures(total),
            "date",
            format::date(first * 86_400),
        )
    } else {
        t_all(
            "chart-time-summary",
            [
                ("signatures", format::signatures(total)),
                ("first", format::date(first * 86_400)),
                ("last", format::date(last * 86_400)),
                ("most", format::count(busiest.signatures)),
                ("busiest", format::date(busiest.day * 86_400)),
            ],
        )
    };
    let mut running = 0u64;
    let rows = days
        .iter()
        .map(|d| {
            running += d.signatures;
            vec![
                format::date(d.day * 86_400),
                format::count(d.signatures),
                format::count(running),
            ]
        })
        .collect();
    Some(Chart {
        svg,
        summary,
        columns: vec![
            t("chart-column-day"),
            t("chart-column-that-day"),
            t("chart-column-total"),
        ],
        rows,
    })
}

/// Shortens a category name for the drawing.
fn short_name(name: &str) -> String {
    let name = name.trim();
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_owned();
    }
    let mut short: String = name.chars().take(MAX_NAME_CHARS - 1).collect();
    short.push('…');
    short
}

/// Signatures by category: a horizontal bar per category, its name above it and its count
/// written beside it. None when no category has any signature yet.
pub fn by_category(categories: &[(String, u64)]) -> Option<Chart> {
    if categories.iter().all(|(_, n)| *n == 0) {
        return None;
    }
    let max = categories.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let height = TOP + ROW * categories.len() as f64;
    // Room on the right for the count written after the longest bar.
    let bar_w = WIDTH - RIGHT - 8.0 - 64.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart-svg\" role=\"img\" aria-labelledby=\"chart-categories-caption\" \
         viewBox=\"0 0 {WIDTH} {height}\" preserveAspectRatio=\"xMinYMin meet\" \
         xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for (i, (name, n)) in categories.iter().enumerate() {
        let row = TOP + ROW * i as f64;
        let w = bar_w * *n as f64 / max as f64;
        let _ = write!(
            svg,
            "<text class=\"name\" x=\"8\" y=\"{:.1}\">{}</text>\
             <rect class=\"bar\" x=\"8\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{BAR}\"/>\
             <text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            row + 4.0,
            escape(&short_name(name)),
            row + 10.0,
            8.0 + w + 6.0,
            row + 10.0 + BAR - 4.0,
            escape(&format::count(*n)),
        );
    }
    svg.push_str("</svg>");
    let total: u64 = categories.iter().map(|(_, n)| *n).sum();
    let parts: Vec<String> = categories
        .iter()
        .map(|(name, n)| format!("{}: {}", name.trim(), format::count(*n)))
        .collect();
    let summary = t2(
        "chart-category-summary",
        "signatures",
        format::signatures(total),
        "parts",
        parts.join("; "),
    );
    Some(Chart {
        svg,
        summary,
        columns: vec![t("chart-column-category"), t("chart-column-signatures")],
        rows: categories
            .iter()
            .map(|(name, n)| vec![name.clone(), format::count(*n)])
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 20_790; // 2026-12-03

    fn day(offset: i64, n: u64) -> DayCount {
        DayCount {
            day: DAY + offset,
            signatures: n,
        }
    }

    /// Every `<text>`'s content, in order.
    fn texts(svg: &str) -> Vec<&str> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                let start = t.find('>')? + 1;
                let end = t.find("</text>")?;
                Some(&t[start..end])
            })
            .collect()
    }

    #[test]
    fn nothing_to_draw_means_no_chart() {
        assert!(over_time(&[]).is_none());
        assert!(over_time(&[day(0, 0)]).is_none());
        assert!(by_category(&[]).is_none());
        assert!(by_category(&[("Survivor".into(), 0)]).is_none());
        assert!(Charts::of(&[], &[]).is_empty());
    }

    #[test]
    fn one_day_draws_a_rise_over_that_day() {
        let chart = over_time(&[day(0, 3)]).unwrap();
        assert!(
            chart
                .svg
                .starts_with("<svg class=\"chart-svg\" role=\"img\"")
        );
        assert!(chart.svg.contains("aria-labelledby=\"chart-time-caption\""));
        assert_eq!(chart.summary, "3 signatures on 3 Dec 2026.");
        let labels = texts(&chart.svg);
        assert!(labels.contains(&"3 Dec"), "{labels:?}");
        assert!(labels.contains(&"0") && labels.contains(&"3"), "{labels:?}");
        assert_eq!(chart.rows, vec![vec!["3 Dec 2026", "3", "3"]]);
        assert!(!chart.svg.contains("NaN") && !chart.svg.contains("inf"));
    }

    #[test]
    fn many_days_are_cumulative_with_round_ticks() {
        let days: Vec<DayCount> = (0..40).map(|i| day(i, 25 + i as u64)).collect();
        let chart = over_time(&days).unwrap();
        let total: u64 = (0..40).map(|i| 25 + i).sum();
        assert_eq!(chart.rows.len(), 40);
        assert_eq!(chart.rows[39][2], format::count(total));
        assert!(
            chart.summary.starts_with(&format!(
                "{} signatures from 3 Dec 2026 to 11 Jan 2027",
                format::count(total)
            )),
            "{}",
            chart.summary
        );
        let labels = texts(&chart.svg);
        // Counts up the side in round steps (total 1,780: 0, 500, …, 2,000).
        assert!(
            labels.contains(&"500") && labels.contains(&"2,000"),
            "{labels:?}"
        );
        // Dates every fortnight.
        assert!(
            labels.contains(&"3 Dec") && labels.contains(&"17 Dec"),
            "{labels:?}"
        );
        assert!(labels.len() <= 12, "{labels:?}");
    }

    #[test]
    fn a_year_is_labelled_by_months() {
        let chart = over_time(&[day(0, 1), day(200, 5), day(365, 2)]).unwrap();
        let labels = texts(&chart.svg);
        // Every second month, the year with the first.
        assert!(
            labels.contains(&"Jan 2027") && labels.contains(&"Mar"),
            "{labels:?}"
        );
        assert!(labels.len() <= 14, "{labels:?}");
        // Days without signatures are not rows of the table.
        assert_eq!(chart.rows.len(), 3);
        let long = over_time(&[day(0, 1), day(1500, 1)]).unwrap();
        let labels = texts(&long.svg);
        assert!(labels.contains(&"2028"), "{labels:?}");
    }

    #[test]
    fn bars_write_their_numbers_and_shorten_long_names() {
        let long = "A category with a very long name that goes on and on and on".to_owned();
        let chart = by_category(&[
            ("Organisation".into(), 1234),
            ("Survivor".into(), 0),
            (long.clone(), 7),
        ])
        .unwrap();
        let labels = texts(&chart.svg);
        assert!(
            labels.contains(&"Organisation") && labels.contains(&"1,234"),
            "{labels:?}"
        );
        assert!(labels.contains(&"0"), "{labels:?}");
        assert!(
            labels
                .iter()
                .any(|l| l.ends_with('…') && l.chars().count() == MAX_NAME_CHARS)
        );
        // The table keeps the whole name.
        assert_eq!(chart.rows[2], vec![long, "7".to_owned()]);
        assert!(
            chart.summary.starts_with("1,241 signatures by category."),
            "{}",
            chart.summary
        );
        assert_eq!(chart.svg.matches("<rect").count(), 3);
    }

    #[test]
    fn names_are_escaped() {
        let chart = by_category(&[("<script>alert(\"x\")</script> & co".into(), 2)]).unwrap();
        assert!(!chart.svg.contains("<script>"));
        assert!(
            chart
                .svg
                .contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co")
        );
    }

    #[test]
    fn civil_dates_round_trip() {
        for d in [-1, 0, 59, 60, DAY, DAY + 365 * 4] {
            let (y, m, dd) = format::civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }
}
