//! The report's charts as inline SVG, drawn with plotters' SVG backend (text stays `<text>`,
//! so the page needs no font files and its labels remain selectable and searchable).

use crate::data::{CalibrationBin, Distribution, Line, Series};
use crate::html::chart_text;
use crate::time::axis_label;
use plotters::coord::Shift;
use plotters::prelude::*;

const WIDTH: u32 = 720;
const HEIGHT: u32 = 250;
/// Okabe–Ito: distinguishable with every common colour-vision deficiency and in greyscale print.
const PALETTE: [RGBColor; 5] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x56, 0xB4, 0xE9),
];
const THRESHOLD: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
const REFERENCE: RGBColor = RGBColor(0xB0, 0xB0, 0xB0);

type ChartResult = Result<(), String>;

fn fail<E: std::fmt::Debug>(e: E) -> String {
    format!("chart: {e:?}")
}

/// Draws into an SVG string of the report's chart size.
fn svg(
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> ChartResult,
) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(fail)?;
        draw(&root)?;
        root.present().map_err(fail)?;
    }
    Ok(out)
}

/// The legend of a chart's labelled series, on a translucent white box.
fn legend<'a, X: Ranged, Y: Ranged>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
) -> ChartResult {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(GRID)
        .draw()
        .map_err(fail)
}

/// Values beyond this are drawn at it: plotters computes with the span of the axis, which must
/// stay finite (a metric that large is read from the tables, not the chart).
const DRAWABLE: f64 = 1e150;

fn drawable(v: f64) -> f64 {
    if v.is_nan() {
        0.0
    } else {
        v.clamp(-DRAWABLE, DRAWABLE)
    }
}

/// The y range of the finite values (and the threshold), padded; from 0 when all are >= 0.
fn y_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()).map(drawable) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return None;
    }
    let pad = if hi > lo {
        (hi - lo) * 0.08
    } else {
        lo.abs().max(1.0) * 0.1
    };
    Some((
        if lo >= 0.0 {
            (lo - pad).max(0.0)
        } else {
            lo - pad
        },
        hi + pad,
    ))
}

/// The runs of consecutive non-NULL finite points within [x0, x1] (a NULL is a gap in the line;
/// points outside the period are not drawn: plotters' pixel arithmetic overflows on points far
/// outside its range).
fn runs(line: &Line, x0: f64, x1: f64) -> Vec<Vec<(f64, f64)>> {
    let mut out = vec![Vec::new()];
    for &(x, y) in &line.points {
        match y {
            Some(v) if v.is_finite() && x.is_finite() && x >= x0 && x <= x1 => out
                .last_mut()
                .expect("one run")
                .push((drawable(x), drawable(v))),
            _ if !out.last().expect("one run").is_empty() => out.push(Vec::new()),
            _ => {}
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// A metric over time: its lines (dashed ones for estimates) and the alert threshold.
/// None when there is no finite value to draw.
pub fn time_series(series: &Series, x0: f64, x1: f64) -> Result<Option<String>, String> {
    let values = series
        .lines
        .iter()
        .flat_map(|l| l.points.iter().filter_map(|p| p.1));
    let Some((lo, hi)) = y_range(values.chain(series.threshold)) else {
        return Ok(None);
    };
    let (x0, x1) = (drawable(x0), drawable(x1));
    let (x0, x1) = if x1 > x0 {
        (x0, x1)
    } else {
        (x0 - 1.0, x0 + 1.0)
    };
    let span = x1 - x0;
    let y_desc = chart_text(&series.unit);
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, lo..hi)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .x_labels(7)
            .y_labels(6)
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .x_desc("window end (UTC)")
            .y_desc(y_desc.as_str())
            .x_label_formatter(&|x| axis_label(*x, span))
            .draw()
            .map_err(fail)?;
        for (i, line) in series.lines.iter().enumerate() {
            let style = PALETTE[i % PALETTE.len()].stroke_width(2);
            let mut labelled = false;
            for run in runs(line, x0, x1) {
                // A polyline of one point draws nothing: a value between two gaps, or the
                // only window of the period, is a dot.
                if run.len() == 1 {
                    chart
                        .draw_series(run.iter().map(|&p| Circle::new(p, 3, style.filled())))
                        .map_err(fail)?;
                }
                let drawn = if line.dashed {
                    chart
                        .draw_series(DashedLineSeries::new(run, 7, 4, style))
                        .map_err(fail)?
                } else {
                    chart
                        .draw_series(LineSeries::new(run, style))
                        .map_err(fail)?
                };
                if !labelled {
                    labelled = true;
                    drawn
                        .label(chart_text(&line.name))
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
                }
            }
        }
        if let Some(t) = series.threshold.filter(|t| t.is_finite()).map(drawable) {
            let style = THRESHOLD.stroke_width(1);
            chart
                .draw_series(DashedLineSeries::new(vec![(x0, t), (x1, t)], 5, 5, style))
                .map_err(fail)?
                .label(format!("alert threshold {}", crate::html::number(t)))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)
    })
    .map(Some)
}

/// A bar's height on a 0..hi axis: NaN as 0, the rest clamped (plotters' pixel arithmetic
/// overflows on coordinates far outside the axis).
fn bar_height(v: f64, hi: f64) -> f64 {
    if v.is_nan() {
        0.0
    } else {
        v.clamp(0.0, hi)
    }
}

/// Reference against current shares, side by side per bin or category.
pub fn shares(d: &Distribution, y_desc: &str) -> Result<Option<String>, String> {
    let n = d.labels.len().min(d.reference.len()).min(d.current.len());
    let values = d.reference[..n].iter().chain(&d.current[..n]).copied();
    let Some((_, hi)) = y_range(values.chain([0.0])) else {
        return Ok(None);
    };
    if n == 0 {
        return Ok(None);
    }
    let labels: Vec<String> = d.labels[..n].iter().map(|l| chart_text(l)).collect();
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(64)
            // A segmented range a..b has a slot per value of a..=b: n slots are 0..n - 1.
            .build_cartesian_2d((0..n as u32 - 1).into_segmented(), 0.0..hi)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .x_labels(n)
            .x_label_style(("sans-serif", if n > 6 { 10 } else { 12 }))
            .y_desc(y_desc)
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .draw()
            .map_err(fail)?;
        for (k, (values, color, label)) in [
            (&d.reference, REFERENCE, "reference"),
            (&d.current, PALETTE[0], "current"),
        ]
        .into_iter()
        .enumerate()
        {
            // The reference fills the left half of each slot, the current period the right half
            // (margins in pixels of the plot area's width, ~WIDTH - 84).
            let slot = (WIDTH - 84) / n as u32;
            let (left, right) = if k == 0 {
                (slot / 10, slot / 2)
            } else {
                (slot / 2, slot / 10)
            };
            let bars = (0..n as u32).map(move |i| {
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), 0.0),
                        (
                            SegmentValue::Exact(i + 1),
                            bar_height(values[i as usize], hi),
                        ),
                    ],
                    color.filled(),
                );
                bar.set_margin(0, 0, left, right);
                bar
            });
            chart
                .draw_series(bars)
                .map_err(fail)?
                .label(label)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                });
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    })
    .map(Some)
}

/// Reliability diagram: the share of positives against the mean score per bin, with the diagonal
/// of a perfectly calibrated model.
pub fn calibration(bins: &[CalibrationBin]) -> Result<Option<String>, String> {
    let points: Vec<(f64, f64)> = bins
        .iter()
        .filter(|b| b.rows > 0 && b.mean_score.is_finite() && b.positive_share.is_finite())
        .map(|b| {
            (
                b.mean_score.clamp(0.0, 1.0),
                b.positive_share.clamp(0.0, 1.0),
            )
        })
        .collect();
    if points.is_empty() {
        return Ok(None);
    }
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..1.0, 0.0..1.0)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .x_desc("mean predicted probability (score)")
            .y_desc("share of positive labels")
            .draw()
            .map_err(fail)?;
        let grey = REFERENCE.stroke_width(1);
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.0, 0.0), (1.0, 1.0)],
                5,
                5,
                grey,
            ))
            .map_err(fail)?
            .label("perfectly calibrated")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], grey));
        let style = PALETTE[0].stroke_width(2);
        chart
            .draw_series(LineSeries::new(points.clone(), style).point_size(3))
            .map_err(fail)?
            .label("model")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
        legend(&mut chart, SeriesLabelPosition::UpperLeft)
    })
    .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_split_lines() {
        let line = Line {
            name: "x".into(),
            points: vec![
                (1.0, Some(1.0)),
                (2.0, None),
                (3.0, Some(2.0)),
                (4.0, Some(f64::NAN)),
                (5.0, Some(3.0)),
            ],
            dashed: false,
        };
        assert_eq!(
            runs(&line, 0.0, 10.0),
            vec![vec![(1.0, 1.0)], vec![(3.0, 2.0)], vec![(5.0, 3.0)]]
        );
        assert_eq!(runs(&line, 2.0, 4.0), vec![vec![(3.0, 2.0)]]);
    }

    #[test]
    fn ranges() {
        assert_eq!(y_range([].into_iter()), None);
        assert_eq!(y_range([f64::NAN].into_iter()), None);
        let (lo, hi) = y_range([0.2, 0.4].into_iter()).unwrap();
        assert!((0.0..0.2).contains(&lo) && hi > 0.4);
        let (lo, hi) = y_range([5.0].into_iter()).unwrap();
        assert!(lo < 5.0 && hi > 5.0);
    }

    #[test]
    fn huge_spans_draw() {
        // -1e308..1e308 overflowed the axis span and plotters never returned.
        let s = Series {
            title: "t".into(),
            unit: "u".into(),
            lines: vec![Line {
                name: "x".into(),
                points: vec![(0.0, Some(-1e308)), (1.0, Some(1e308))],
                dashed: false,
            }],
            threshold: Some(f64::MAX),
        };
        assert!(time_series(&s, 0.0, 1.0).unwrap().is_some());
        assert!(time_series(&s, -f64::MAX, f64::MAX).unwrap().is_some());
        assert!(time_series(&s, f64::NAN, f64::INFINITY).unwrap().is_some());
    }

    #[test]
    fn empty_series_draw_nothing() {
        let s = Series {
            title: "t".into(),
            unit: "psi".into(),
            lines: vec![],
            threshold: None,
        };
        assert_eq!(time_series(&s, 0.0, 1.0).unwrap(), None);
    }
}
