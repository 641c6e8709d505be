//! HTML text: escaping, numbers, tables, and the page's style sheet (light and dark viewers,
//! A4 print).

/// Characters replaced by U+FFFD in every text the report shows: controls, and the
/// bidirectional formatting characters (a feature key ending in U+202E would otherwise display
/// the rest of its heading reversed, or a category "…\u{202E}gnp.exe" as "…exe.png").
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if hidden(c) && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Text for a chart label: at most 40 characters (an ellipsis marks the cut), control and
/// bidirectional formatting characters replaced. Not escaped here: plotters' SVG backend escapes every text and attribute
/// it writes (the hostile-name test checks both that nothing becomes markup and that nothing is
/// escaped twice).
pub fn chart_text(text: &str) -> String {
    let cut: String = text
        .chars()
        .take(40)
        .map(|c| if hidden(c) { '\u{FFFD}' } else { c })
        .collect();
    if text.chars().count() > 40 {
        format!("{cut}…")
    } else {
        cut
    }
}

/// A metric value for people: up to 4 significant digits, no exponent for usual magnitudes.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "NaN".into()
        } else if v > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        };
    }
    let a = v.abs();
    if a != 0.0 && !(1e-4..1e9).contains(&a) {
        return format!("{v:.3e}");
    }
    let decimals = if a >= 1000.0 {
        0
    } else if a >= 100.0 {
        1
    } else if a >= 10.0 {
        2
    } else {
        4
    };
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

pub fn optional(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), number)
}

/// A table: header cells and rows of already-escaped cells.
pub fn table(caption: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("<table><caption>{}</caption><thead><tr>", escape(caption));
    for h in header {
        out.push_str(&format!("<th scope=\"col\">{}</th>", escape(h)));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&format!("<td>{cell}</td>"));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// The style sheet: charts sit on white cards in both schemes (their colours are chosen for a
/// white ground); page text follows the viewer's scheme; A4 print keeps a chart on one page.
pub const STYLE: &str = "
:root { color-scheme: light dark; --fg: #1d1d1d; --bg: #ffffff; --muted: #5a5a5a; --line: #d8d8d8;
  --critical: #b3261e; --warning: #8a5a00; --info: #1a5fb4; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e8e8e8; --bg: #161616; --muted: #b4b4b4; --line: #444; --critical: #ff8a80;
    --warning: #ffcc66; --info: #8ab4f8; } }
body { font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif;
  color: var(--fg); background: var(--bg); max-width: 760px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; border-bottom: 1px solid var(--line);
  padding-bottom: 0.2em; margin-top: 1.6em; } h3 { font-size: 1em; margin: 1em 0 0.3em; }
.meta, .note, caption { color: var(--muted); } caption { text-align: left; font-size: 0.9em; padding: 0.2em 0; }
figure { margin: 0.4em 0 1em; break-inside: avoid; } figure svg { display: block; width: 100%; height: auto;
  background: #fff; border-radius: 4px; } figcaption { color: var(--muted); font-size: 0.9em; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0 1em; font-size: 0.9em; break-inside: avoid; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.sev-critical { color: var(--critical); font-weight: 600; } .sev-warning { color: var(--warning); font-weight: 600; }
.sev-info { color: var(--info); }
.cm { width: auto; } .cm td { min-width: 5em; text-align: right; font-variant-numeric: tabular-nums; color: #111; }
@media print { body { max-width: none; padding: 0; font-size: 10.5pt; } @page { size: A4; margin: 14mm; }
  figure svg { border: 1px solid #ccc; } }
";
