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
    g.bench_function("score_accumulator_add_1M", |b| {
        use mlobs_core::metrics::score_accumulator::ScoreAccumulator;
        b.iter(|| {
            let mut s = ScoreAccumulator::new(10_000).unwrap();
            for (&u, &y) in us.iter().zip(&labels) {
                s.add_weighted(u, y, 1.0).unwrap();
            }
            black_box(s.to_bytes().len())
        })
    });
    // As a scan calls them: each row first streams its ~500-byte tuple through the caches (the
    // benchmark table's rows are 490 bytes), which evicts a dense 160 kB summary's bins.
    let tuples = vec![1u64; 64 * 1_000_000];
    let stream = |i: usize| -> u64 { tuples[i * 64..i * 64 + 64].iter().sum() };
    g.bench_function("score_summary_add_1M_streaming_500_bytes_a_row", |b| {
        b.iter(|| {
            let mut s = ScoreSummary::default();
            let mut t = 0;
            for (i, (&u, &y)) in us.iter().zip(&labels).enumerate() {
                t += stream(i);
                s.add(u, y).unwrap();
            }
            black_box((t, s.count()))
        })
    });
    g.bench_function("score_accumulator_add_1M_streaming_500_bytes_a_row", |b| {
        use mlobs_core::metrics::score_accumulator::ScoreAccumulator;
        b.iter(|| {
            let mut s = ScoreAccumulator::new(10_000).unwrap();
            let mut t = 0;
            for (i, (&u, &y)) in us.iter().zip(&labels).enumerate() {
                t += stream(i);
                s.add_weighted(u, y, 1.0).unwrap();
            }
            black_box((t, s.to_bytes().len()))
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

/// category_agg over 1M rows of 100 000 distinct values in numeric order (the SQL benchmark's
/// `(id % 100000)::text`): `Categories` evicting at the cap against the deferred
/// `CategoryCounter`, in one pass and as a 3-participant parallel plan (three partial states
/// written, read back and merged by the leader).
fn bench_categories(c: &mut Criterion) {
    use mlobs_core::categories::Categories;
    use mlobs_core::category_counter::CategoryCounter;
    let keys: Vec<String> = (0..1_000_000u32)
        .map(|i| (i % 100_000).to_string())
        .collect();
    let mut g = c.benchmark_group("categories_per_row");
    g.throughput(Throughput::Elements(keys.len() as u64));
    fn one_pass<S: Summary + Default>(keys: &[String], add: impl Fn(&mut S, &str)) -> Vec<u8> {
        let mut s = S::default();
        keys.iter().for_each(|k| add(&mut s, k));
        s.to_bytes()
    }
    fn three_parts<S: Summary + Default>(keys: &[String], add: impl Fn(&mut S, &str)) -> Vec<u8> {
        let parts: Vec<Vec<u8>> = keys
            .chunks(keys.len().div_ceil(3))
            .map(|chunk| one_pass(chunk, &add))
            .collect();
        let mut leader = S::default();
        for p in &parts {
            leader.merge(&S::from_bytes(p).unwrap()).unwrap();
        }
        leader.to_bytes()
    }
    let add_categories = |s: &mut Categories, k: &str| s.add(Some(k));
    let add_counter = |s: &mut CategoryCounter, k: &str| s.add(Some(k));
    g.bench_function("categories_1M_100k_distinct", |b| {
        b.iter(|| black_box(one_pass(&keys, add_categories)))
    });
    g.bench_function("category_counter_1M_100k_distinct", |b| {
        b.iter(|| black_box(one_pass(&keys, add_counter)))
    });
    g.bench_function("categories_1M_100k_distinct_3_parts", |b| {
        b.iter(|| black_box(three_parts(&keys, add_categories)))
    });
    g.bench_function("category_counter_1M_100k_distinct_3_parts", |b| {
        b.iter(|| black_box(three_parts(&keys, add_counter)))
    });
    g.finish();
}

criterion_group!(
    benches,
    bench,
    bench_metrics,
    bench_confusion_classes,
    bench_categories
);
criterion_main!(benches);
