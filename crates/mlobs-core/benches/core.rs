//! Criterion benchmarks of the core hot paths: per-value profile (with and without its distinct
//! sketch) and histogram updates, merges, and the exact Evidently PSI on arrays.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use mlobs_core::drift::psi;
use mlobs_core::{Histogram, NumericProfile, Summary};
use std::hint::black_box;

fn data(n: usize, seed: u64) -> Vec<f64> {
    // xorshift: deterministic, no extra dependency.
    let mut s = seed;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let u = (s >> 11) as f64 / (1u64 << 53) as f64;
            (3.0 + 2.0 * u).exp() * if s & 1 == 0 { 1.0 } else { -1.0 }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let xs = data(1_000_000, 42);
    let mut g = c.benchmark_group("per_value");
    g.throughput(Throughput::Elements(xs.len() as u64));
    g.bench_function("profile_add_1M", |b| {
        b.iter(|| {
            let mut p = NumericProfile::default();
            for &x in &xs {
                p.add(Some(x));
            }
            black_box(p.n)
        })
    });
    // The same without the distinct sketch (a profile read from 0.2.0 has none): the cost before
    // it existed. And low-cardinality data, where the sketch is the exact sorted set.
    g.bench_function("profile_add_1M_without_distinct", |b| {
        b.iter(|| {
            let mut p = NumericProfile {
                distinct: None,
                ..NumericProfile::default()
            };
            for &x in &xs {
                p.add(Some(x));
            }
            black_box(p.n)
        })
    });
    let few: Vec<f64> = xs.iter().map(|x| x.round() % 100.0).collect();
    g.bench_function("profile_add_1M_200_distinct_without_distinct", |b| {
        b.iter(|| {
            let mut p = NumericProfile {
                distinct: None,
                ..NumericProfile::default()
            };
            for &x in &few {
                p.add(Some(x));
            }
            black_box(p.n)
        })
    });
    g.bench_function("profile_add_1M_200_distinct", |b| {
        b.iter(|| {
            let mut p = NumericProfile::default();
            for &x in &few {
                p.add(Some(x));
            }
            black_box(p.n)
        })
    });
    let edges = vec![
        -150.0, -100.0, -50.0, -20.0, -10.0, 0.0, 10.0, 20.0, 50.0, 100.0, 150.0,
    ];
    g.bench_function("histogram_add_1M_11_edges", |b| {
        b.iter(|| {
            let mut h = Histogram::new(edges.clone(), "edges").unwrap();
            for &x in &xs {
                h.add(Some(x));
            }
            black_box(h.finite_count())
        })
    });
    g.finish();

    let mut p = NumericProfile::default();
    xs.iter().for_each(|&x| p.add(Some(x)));
    c.bench_function("profile_merge_and_serialize", |b| {
        b.iter(|| {
            let mut q = p.clone();
            q.merge(&p).unwrap();
            black_box(NumericProfile::from_bytes(&q.to_bytes()).unwrap().n)
        })
    });

    let mut g = c.benchmark_group("psi_evidently");
    for n in [10_000usize, 100_000] {
        let r = data(n, 1);
        let cur = data(n, 2);
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| black_box(psi::psi_evidently(&r, &cur)))
        });
    }
    g.finish();
}

/// confusion_agg's cost as classes grow (issue 20): 40 000 rows spread over k classes, every
/// (actual, predicted) pair appearing, so a 200-class summary holds 40 000 cells. Linear in rows
/// at every k since the class cap is checked per new label.
fn bench_confusion_classes(c: &mut Criterion) {
    use mlobs_core::metrics::confusion::Confusion;
    use mlobs_core::metrics::label::Label;
    let mut g = c.benchmark_group("confusion_40k_rows_by_classes");
    g.sample_size(10);
    g.throughput(Throughput::Elements(40_000));
    for k in [2i64, 30, 200, 1000] {
        g.bench_with_input(BenchmarkId::from_parameter(k), &k, |b, &k| {
            b.iter(|| {
                let mut cm = Confusion::default();
                for i in 0..40_000i64 {
                    cm.add(Label::Int(i % k), Label::Int((i / k) % k), 1.0)
                        .unwrap();
                }
                black_box(cm.cells.len())
            })
        });
    }
    g.finish();
}

/// Per-row cost of the model-performance summaries and the exact AUC on 1M rows.
fn bench_metrics(c: &mut Criterion) {
    use mlobs_core::metrics::confusion::Confusion;
    use mlobs_core::metrics::label::Label;
    use mlobs_core::metrics::ranking::RankSample;
    use mlobs_core::metrics::regression::RegressionSummary;
    use mlobs_core::metrics::score_summary::ScoreSummary;
    let us: Vec<f64> = data(1_000_000, 7)
        .iter()
        .map(|x| (x.abs().ln() - 3.0) / 2.0)
        .collect();
    let labels: Vec<bool> = data(1_000_000, 8).iter().map(|x| *x > 0.0).collect();
    let mut g = c.benchmark_group("metrics_per_row");
    g.throughput(Throughput::Elements(us.len() as u64));
    g.bench_function("confusion_add_1M", |b| {
        b.iter(|| {
            let mut cm = Confusion::default();
            for (&u, &y) in us.iter().zip(&labels) {
                cm.add(Label::Int(y as i64), Label::Int((u > 0.5) as i64), 1.0)
                    .unwrap();
            }
            black_box(cm.rows)
        })
    });
    g.bench_function("score_summary_add_1M", |b| {
        b.iter(|| {
            let mut s = ScoreSummary::default();
            for (&u, &y) in us.iter().zip(&labels) {
                s.add(u, y).unwrap();
            }
            black_box(s.count())
        })
    });
    g.bench_function("log_loss_add_1M", |b| {
        use mlobs_core::metrics::loss::{LossKind, MeanLoss};
        b.iter(|| {
            let mut l = MeanLoss::new(LossKind::LogLoss);
            for (&u, &y) in us.iter().zip(&labels) {
                l.add_binary(u, y).unwrap();
            }
            black_box(l.mean())
        })
    });
    g.bench_function("regression_add_1M", |b| {
        b.iter(|| {
            let mut r = RegressionSummary::default();
            for (&u, &y) in us.iter().zip(&labels) {
                r.add(u * 100.0, u * 100.0 + y as u8 as f64).unwrap();
            }
            black_box(r.n())
        })
    });
    g.bench_function("exact_roc_auc_1M", |b| {
        let mut r = RankSample::default();
        us.iter()
            .zip(&labels)
            .for_each(|(&u, &y)| r.add(u, y).unwrap());
        b.iter(|| black_box(r.roc_auc()))
    });
    g.finish();
}

criterion_group!(benches, bench, bench_metrics, bench_confusion_classes);
criterion_main!(benches);
