//! A monitoring report as one self-contained HTML document: inline SVG charts, no scripts, no
//! network. The SQL side (`mlobs.report`) gathers the data as JSON (`data::ReportData`); this
//! crate only lays it out, escaping every text it was given.
#![forbid(unsafe_code)]

mod charts;
pub mod data;
mod html;
mod time;

use data::ReportData;
use html::{escape, number, optional, table};

/// Bounds that keep a report readable and its size in check whatever the data holds.
pub const MAX_CHARTS: usize = 60;
pub const MAX_ROWS: usize = 500;
/// Bars of the SHAP importance chart.
pub const MAX_BARS: usize = 20;

/// Renders the report; an error names the JSON problem or the chart that failed.
pub fn render_json(json: &str) -> Result<String, String> {
    let mut value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("report data: {e}"))?;
    drop_null_members(&mut value);
    let data: ReportData =
        serde_json::from_value(value).map_err(|e| format!("report data: {e}"))?;
    // A panic in the chart library (an input its arithmetic does not expect) becomes an error
    // naming the report, never an internal error of the server.
    std::panic::catch_unwind(|| render(&data))
        .unwrap_or_else(|_| Err("report data: a chart could not be drawn".into()))
}

/// The document with every character beyond ASCII written as an HTML character reference: the
/// same page, in any ASCII-compatible encoding (a database that is not UTF-8 stores it as text).
/// The style sheet is ASCII, so no reference lands where HTML does not decode it.
pub fn ascii_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    for c in html.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("&#x{:X};", u32::from(c)));
        }
    }
    out
}

/// SQL gives NULL for an empty aggregate: an object member that is null counts as absent (its
/// default), while nulls inside arrays stay (a NULL point is a gap in a line).
fn drop_null_members(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            map.retain(|_, m| !m.is_null());
            map.values_mut().for_each(drop_null_members);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_null_members),
        _ => {}
    }
}

fn figure(svg: String, caption: &str) -> String {
    format!(
        "<figure>{svg}<figcaption>{}</figcaption></figure>",
        escape(caption)
    )
}

fn severity_cell(severity: &str) -> String {
    format!(
        "<span class=\"sev-{}\">{}</span>",
        escape(severity),
        escape(severity)
    )
}

pub fn render(d: &ReportData) -> Result<String, String> {
    let mut body = String::new();
    let title = if d.summaries_only {
        format!("Data drift report: {}", d.model)
    } else {
        format!("Model monitoring report: {}", d.model)
    };
    body.push_str(&format!("<h1>{}</h1>", escape(&title)));
    let generated = if d.generated_at.is_empty() {
        "made by mlobs".to_string()
    } else {
        format!("generated {} by mlobs", escape(&d.generated_at))
    };
    match &d.subtitle {
        Some(subtitle) => body.push_str(&format!(
            "<p class=\"meta\">{} · {generated}</p>",
            escape(subtitle)
        )),
        None => body.push_str(&format!(
            "<p class=\"meta\">Period {} – {} (UTC) · {generated}</p>",
            escape(&d.from),
            escape(&d.to)
        )),
    }
    if d.summaries_only {
        body.push_str(&drift_table(d));
        body.push_str(&drift_section(d)?);
        return Ok(page(&title, &body));
    }
    if !d.monitors.is_empty() {
        let rows: Vec<Vec<String>> = d
            .monitors
            .iter()
            .map(|m| {
                vec![
                    escape(&m.name),
                    escape(&m.kind),
                    escape(&m.window_size),
                    escape(m.watermark.as_deref().unwrap_or("not run yet")),
                ]
            })
            .collect();
        body.push_str(&table(
            "Monitors of this model",
            &["monitor", "kind", "window", "computed up to"],
            &rows,
        ));
    }
    body.push_str(&alerts_section(d));
    body.push_str(&drift_section(d)?);
    body.push_str(&quality_section(d));
    body.push_str(&performance_section(d)?);
    body.push_str(&shap_section(d)?);
    for note in &d.notes {
        body.push_str(&format!("<p class=\"note\">{}</p>", escape(note)));
    }
    Ok(page(&title, &body))
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{}</style></head><body>{body}</body></html>\n",
        escape(title),
        html::STYLE
    )
}

/// Every feature's drift verdict (the summaries form): drifted features first.
fn drift_table(d: &ReportData) -> String {
    let drifted = d
        .drift_table
        .iter()
        .filter(|r| r.drifted == Some(true))
        .count();
    let rows: Vec<Vec<String>> = d
        .drift_table
        .iter()
        .take(MAX_ROWS)
        .map(|r| {
            let verdict = match r.drifted {
                Some(true) => "<span class=\"sev-warning\">drifted</span>".to_string(),
                Some(false) => "no drift".to_string(),
                None => "–".to_string(),
            };
            vec![
                escape(&r.feature),
                escape(&r.kind),
                escape(r.method.as_deref().unwrap_or("–")),
                optional(r.statistic),
                optional(r.p_value),
                optional(r.threshold),
                verdict,
            ]
        })
        .collect();
    let mut out = String::from("<h2 id=\"drift-table\">Drift per feature</h2>");
    out.push_str(&table(
        &format!("{drifted} of {} features drifted", d.drift_table.len()),
        &[
            "feature",
            "kind",
            "method",
            "statistic",
            "p-value",
            "threshold",
            "verdict",
        ],
        &rows,
    ));
    out
}

fn alerts_section(d: &ReportData) -> String {
    let mut out = String::from("<h2 id=\"alerts\">Alerts in the period</h2>");
    if d.alerts.is_empty() {
        out.push_str("<p>No alert was open during the period.</p>");
        return out;
    }
    let rows: Vec<Vec<String>> = d
        .alerts
        .iter()
        .take(MAX_ROWS)
        .map(|a| {
            let what = if a.segment.is_empty() {
                a.feature.clone()
            } else {
                format!("{} [{}]", a.feature, a.segment)
            };
            vec![
                severity_cell(&a.severity),
                escape(&a.rule),
                escape(&what),
                escape(&a.monitor),
                escape(&a.state),
                escape(&a.started_at),
                escape(a.resolved_at.as_deref().unwrap_or("open")),
                format!(
                    "{} (threshold {})",
                    optional(a.worst_value),
                    optional(a.threshold)
                ),
            ]
        })
        .collect();
    out.push_str(&table(
        &format!("{} alerts, most severe first", d.alerts.len()),
        &[
            "severity",
            "rule",
            "feature",
            "monitor",
            "state",
            "started",
            "resolved",
            "worst value",
        ],
        &rows,
    ));
    out
}

fn drift_section(d: &ReportData) -> Result<String, String> {
    let mut out = String::new();
    if !d.summaries_only {
        out.push_str("<h2 id=\"drift\">Drift over time</h2>");
        if d.drift.is_empty() {
            out.push_str("<p>No drift metric in the period.</p>");
        }
    }
    for s in d.drift.iter().take(MAX_CHARTS) {
        out.push_str(&format!("<h3>{}</h3>", escape(&s.title)));
        match charts::time_series(s, d.from_epoch, d.to_epoch)? {
            Some(svg) => {
                let caption = match s.threshold {
                    Some(_) => format!(
                        "{} per window; the dashed line is the alert threshold",
                        s.unit
                    ),
                    None => format!("{} per window", s.unit),
                };
                out.push_str(&figure(svg, &caption))
            }
            None => out.push_str("<p class=\"note\">No value in the period.</p>"),
        }
    }
    if d.drift_omitted > 0 {
        out.push_str(&format!(
            "<p class=\"note\">{} more features are not drawn.</p>",
            d.drift_omitted
        ));
    }
    if !d.distributions.is_empty() {
        out.push_str("<h2 id=\"distributions\">Reference against current distributions</h2>");
    }
    for dist in d.distributions.iter().take(MAX_CHARTS) {
        out.push_str(&format!("<h3>{}</h3>", escape(&dist.feature)));
        if let Some(svg) = charts::shares(dist, "share of rows")? {
            out.push_str(&figure(
                svg,
                "share of rows per bin (reference deciles) or category",
            ));
        }
    }
    if let Some(note) = &d.distributions_note {
        out.push_str(&format!("<p class=\"note\">{}</p>", escape(note)));
    }
    Ok(out)
}

fn quality_section(d: &ReportData) -> String {
    let mut out = String::from("<h2 id=\"quality\">Data quality</h2>");
    if d.quality.is_empty() {
        out.push_str("<p>No data-quality metric in the period.</p>");
        return out;
    }
    let rows: Vec<Vec<String>> = d
        .quality
        .iter()
        .take(MAX_ROWS)
        .map(|q| {
            vec![
                escape(&q.feature),
                escape(&q.metric),
                optional(q.last),
                optional(q.max),
            ]
        })
        .collect();
    out.push_str(&table(
        "Per feature: the last window's value and the period's maximum",
        &["feature", "metric", "last", "max"],
        &rows,
    ));
    out
}

fn performance_section(d: &ReportData) -> Result<String, String> {
    let mut out = String::from("<h2 id=\"performance\">Model performance</h2>");
    if d.performance.is_empty() {
        out.push_str("<p>No performance metric in the period.</p>");
    }
    for s in d.performance.iter().take(MAX_CHARTS) {
        out.push_str(&format!("<h3>{}</h3>", escape(&s.title)));
        match charts::time_series(s, d.from_epoch, d.to_epoch)? {
            Some(svg) if s.lines.iter().any(|l| l.dashed) => {
                out.push_str(&figure(svg, "per window; the dashed line is the estimate (CBPE), available where labels are not"))
            }
            Some(svg) => out.push_str(&figure(svg, "per window")),
            None => out.push_str("<p class=\"note\">No value in the period.</p>"),
        }
    }
    if let Some(c) = &d.confusion {
        out.push_str(&confusion_table(c));
    }
    if let Some(svg) = charts::calibration(&d.calibration)? {
        out.push_str("<h3>Calibration</h3>");
        out.push_str(&figure(
            svg,
            "labelled rows of the period in ten score bins",
        ));
    }
    Ok(out)
}

fn confusion_table(c: &data::Confusion) -> String {
    let n = c.labels.len().min(c.counts.len()).min(40);
    let max = c.counts.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    let other = if c.other_classes > 0 {
        format!(
            "; the last row and column count the {} least frequent classes together",
            c.other_classes
        )
    } else {
        String::new()
    };
    let mut out = format!("<h3>Confusion matrix</h3><table class=\"cm\"><caption>Labelled rows of the period: actual (rows) against predicted (columns){other}</caption><thead><tr><th scope=\"col\">actual \\ predicted</th>");
    for l in &c.labels[..n] {
        out.push_str(&format!(
            "<th scope=\"col\" class=\"num\">{}</th>",
            escape(l)
        ));
    }
    out.push_str("</tr></thead><tbody>");
    for (i, l) in c.labels[..n].iter().enumerate() {
        out.push_str(&format!("<tr><th scope=\"row\">{}</th>", escape(l)));
        for j in 0..n {
            let v = c.counts[i].get(j).copied().unwrap_or(0);
            // Blue shade by count, on the diagonal green: readable as numbers in any scheme.
            let alpha = 0.08 + 0.6 * v as f64 / max;
            let rgb = if i == j { "0,158,115" } else { "0,114,178" };
            out.push_str(&format!(
                "<td style=\"background: rgba({rgb},{alpha:.2})\">{v}</td>"
            ));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

fn shap_section(d: &ReportData) -> Result<String, String> {
    if d.shap.is_empty() {
        return Ok(String::new());
    }
    let mut out = String::from("<h2 id=\"shap\">Feature importance (mean |SHAP|)</h2>");
    // The SQL side orders the features by current importance: the chart shows the first ones
    // (a bar per feature stays readable), the table the first MAX_ROWS.
    let drawn = &d.shap[..d.shap.len().min(MAX_BARS)];
    let dist = data::Distribution {
        feature: String::new(),
        labels: drawn.iter().map(|s| s.feature.clone()).collect(),
        reference: drawn.iter().map(|s| s.reference.unwrap_or(0.0)).collect(),
        current: drawn.iter().map(|s| s.current.unwrap_or(0.0)).collect(),
    };
    if let Some(svg) = charts::shares(&dist, "mean |SHAP| (margin)")? {
        let caption = if d.shap.len() > MAX_BARS {
            format!("mean absolute SHAP value of the {MAX_BARS} most important features (of {}), reference period against the reported one", d.shap.len())
        } else {
            "mean absolute SHAP value per feature, reference period against the reported one".into()
        };
        out.push_str(&figure(svg, &caption));
    }
    let rows: Vec<Vec<String>> = d
        .shap
        .iter()
        .take(MAX_ROWS)
        .map(|s| {
            let change = match (s.reference, s.current) {
                (Some(r), Some(c)) if r != 0.0 => format!("{}%", number(100.0 * (c - r) / r.abs())),
                _ => "–".into(),
            };
            vec![
                escape(&s.feature),
                optional(s.reference),
                optional(s.current),
                change,
            ]
        })
        .collect();
    out.push_str(&table(
        "Importance drift",
        &["feature", "reference", "current", "change"],
        &rows,
    ));
    if d.shap.len() > MAX_ROWS {
        out.push_str(&format!(
            "<p class=\"note\">{} less important features are not listed.</p>",
            d.shap.len() - MAX_ROWS
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
