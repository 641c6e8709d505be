// #[pg_test]s: paths SQL cannot reach directly (forged bytes straight into the aggregate
// deserialize and binary receive functions, allocation failure) and SQL round trips.

use pgrx::prelude::*;

/// Calls a V1 function the way Postgres would for deserialize(bytea, internal).
fn call_deserialize(f: unsafe extern "C-unwind" fn(pg_sys::FunctionCallInfo) -> pg_sys::Datum, bytes: &[u8]) {
    let arg = crate::varlena_io::bytes_to_datum(bytes);
    unsafe {
        pg_sys::DirectFunctionCall2Coll(Some(f), pg_sys::InvalidOid, arg, pg_sys::Datum::from(0usize));
    }
}

/// Calls a type's binary receive function on a message buffer holding `bytes`.
fn call_recv(f: unsafe extern "C-unwind" fn(pg_sys::FunctionCallInfo) -> pg_sys::Datum, bytes: &[u8]) -> pg_sys::Datum {
    unsafe {
        let buf = pg_sys::makeStringInfo();
        pg_sys::appendBinaryStringInfo(buf, bytes.as_ptr().cast(), bytes.len() as i32);
        pg_sys::DirectFunctionCall1Coll(Some(f), pg_sys::InvalidOid, pg_sys::Datum::from(buf))
    }
}

fn valid_profile_bytes() -> Vec<u8> {
    use mlobs_core::Summary;
    let mut p = mlobs_core::NumericProfile::default();
    for x in [1.0, 2.5, -3.0, 0.0, 1e6] {
        p.add(Some(x));
    }
    p.to_bytes()
}

#[pg_test(error = "invalid mlobs.profile: bad header")]
fn forged_bytes_into_profile_deserialize() {
    call_deserialize(crate::profile::mlobs_profile::deserial, b"\x00\x01\x02");
}

#[pg_test(error = "invalid mlobs.profile: truncated data")]
fn truncated_bytes_into_profile_deserialize() {
    let bytes = valid_profile_bytes();
    call_deserialize(crate::profile::mlobs_profile::deserial, &bytes[..bytes.len() - 3]);
}

#[pg_test(error = "invalid mlobs.profile: sketch count differs from n")]
fn inconsistent_counts_into_profile_deserialize() {
    let mut bytes = valid_profile_bytes();
    bytes[5] = 99; // n
    call_deserialize(crate::profile::mlobs_profile::deserial, &bytes);
}

#[pg_test(error = "invalid mlobs.histogram: edges must be strictly increasing: edges[1] = 0 is not below edges[2] = 0")]
fn forged_edges_into_histogram_deserialize() {
    use mlobs_core::Summary;
    let mut h = mlobs_core::Histogram::new(vec![0.0, 1.0], "edges").unwrap();
    h.add(Some(0.5));
    let mut bytes = h.to_bytes();
    // Second edge (offset: tag 4 + version 1 + len 4 + first edge 8) becomes 0.0.
    bytes[17..25].copy_from_slice(&0.0f64.to_le_bytes());
    call_deserialize(crate::histogram::mlobs_histogram::deserial, &bytes);
}

#[pg_test(error = "invalid mlobs.profile: array length 4294967295 exceeds the limit 2048")]
fn huge_length_into_profile_recv() {
    let mut bytes = valid_profile_bytes();
    // Header, 5 counts, 5 floats (min, max, shift, mean, m2), scale (format 3), zero count,
    // store offset, length.
    let len_at = 5 + 5 * 8 + 5 * 8 + 4 + 8 + 4;
    bytes[len_at..len_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    call_recv(crate::profile::mlobs_profile::recv, &bytes);
}

#[pg_test]
fn valid_bytes_into_profile_recv_round_trip() {
    let bytes = valid_profile_bytes();
    let datum = call_recv(crate::profile::mlobs_profile::recv, &bytes);
    let back = unsafe { crate::varlena_io::varlena_bytes(datum) };
    assert_eq!(back, &bytes[..]);
}

#[pg_test(error = "mlobs: out of memory: a request for 2147483648 bytes failed (limit 1073741824 bytes per allocation)")]
fn huge_allocation_is_an_error_not_a_crash() {
    let v: Vec<u8> = Vec::with_capacity(std::hint::black_box(1usize << 31));
    assert!(v.capacity() > 0);
}

#[pg_test]
fn stored_profile_survives_text_round_trip() {
    Spi::run("CREATE TABLE t_prof AS SELECT mlobs.profile_agg(x::float8 / 7) p FROM generate_series(1, 5000) x").unwrap();
    let same = Spi::get_one::<bool>(
        "SELECT mlobs_internal.profile_send(p) = mlobs_internal.profile_send(p::text::mlobs.profile) FROM t_prof",
    )
    .unwrap();
    assert_eq!(same, Some(true));
}

#[pg_test(error = "invalid ranking state: array length 4294967295 exceeds the limit 50000000")]
fn huge_length_into_ranking_deserialize() {
    let mut bytes = b"MLrk\x01".to_vec();
    bytes.extend_from_slice(&u32::MAX.to_le_bytes());
    call_deserialize(crate::ranking::mlobs_ranking::deserial, &bytes);
}

#[pg_test(error = "invalid mlobs.confusion: invalid label kind")]
fn forged_label_kind_into_confusion_recv() {
    let mut bytes = b"MLcf\x01".to_vec();
    bytes.extend_from_slice(&1u64.to_le_bytes()); // rows
    bytes.extend_from_slice(&0u64.to_le_bytes()); // skipped
    bytes.push(9); // label kind
    bytes.extend_from_slice(&1u32.to_le_bytes()); // one cell
    bytes.extend_from_slice(&[0; 24]);
    call_recv(crate::classification::mlobs_confusion::recv, &bytes);
}

#[pg_test(error = "invalid mlobs.calibration: x must be finite and strictly increasing")]
fn unsorted_calibration_into_recv() {
    let mut bytes = b"MLcb\x01".to_vec();
    bytes.extend_from_slice(&2u64.to_le_bytes());
    for values in [[0.5f64, 0.2], [0.0, 1.0]] {
        bytes.extend_from_slice(&2u32.to_le_bytes());
        values.iter().for_each(|v| bytes.extend_from_slice(&v.to_le_bytes()));
    }
    call_recv(crate::calibration::mlobs_calibration::recv, &bytes);
}

#[pg_test(error = "invalid mlobs.score_summary: bin 20 outside the grid")]
fn out_of_grid_bin_into_score_summary_deserialize() {
    let mut bytes = b"MLsc\x01".to_vec();
    bytes.extend_from_slice(&10u32.to_le_bytes()); // grid
    bytes.extend_from_slice(&[0; 16]); // log-loss and Brier sums
    bytes.extend_from_slice(&1u32.to_le_bytes()); // one bin
    bytes.extend_from_slice(&20u32.to_le_bytes());
    bytes.extend_from_slice(&1u64.to_le_bytes());
    bytes.extend_from_slice(&0u64.to_le_bytes());
    call_deserialize(crate::ranking::mlobs_score_summary::deserial, &bytes);
}

/// A Rust panic becomes an ERROR whose DETAIL carries no backtrace, even when the server's
/// environment asks for backtraces (no panic is reachable from SQL, so this one is deliberate;
/// tests/integration/backtrace/run.sh checks the reachable error paths on a cluster started with
/// RUST_BACKTRACE=1). `_PG_init` disabled capturing before any capture could happen.
#[pg_test]
fn panics_carry_no_backtrace() {
    assert_eq!(std::env::var("RUST_LIB_BACKTRACE").as_deref(), Ok("0"));
    // RUST_LIB_BACKTRACE takes precedence over this, whenever the process first captures.
    // SAFETY: the test backend is single-threaded; nothing reads the environment concurrently.
    unsafe { std::env::set_var("RUST_BACKTRACE", "1") };
    assert_ne!(
        std::backtrace::Backtrace::capture().status(),
        std::backtrace::BacktraceStatus::Captured
    );
    let (message, detail) = PgTryBuilder::new(|| -> (String, Option<String>) {
        panic!("a deliberate panic")
    })
    .catch_others(|e| match e {
        pg_sys::panic::CaughtError::RustPanic { ereport, .. } => {
            (ereport.message().to_string(), ereport.detail_with_backtrace())
        }
        other => panic!("expected a Rust panic, caught {other:?}"),
    })
    .execute();
    assert_eq!(message, "a deliberate panic");
    assert_eq!(detail, None);
}

/// The in-place jsonb reader (issue 20) against PostgreSQL's iterator on objects that exercise
/// every entry type, stored offsets (every 32nd entry), alignment padding before numerics and
/// containers, numerics in short and long form, beyond float8's range, and non-ASCII text.
#[pg_test]
fn jsonb_read_in_place_equals_postgres_iterator() {
    let sql = r#"
        SELECT o FROM (VALUES
          ('{}'::jsonb),
          ('{"a": 1}'),
          ('{"x": 1e400, "y": -1e-400, "z": 0, "w": -0.0, "v": 123456789012345678901234567890.123456789}'),
          ('{"é": "ünïcödé", "": "", "n": null, "t": true, "f": false, "o": {"p": [1, 2]}, "a": [], "e": {}}'),
          (('{"long": "' || repeat('x', 5000) || '", "after": 2.5}')::jsonb)
        ) v(o)
        UNION ALL
        SELECT jsonb_object_agg('k' || i, CASE i % 8
            WHEN 0 THEN to_jsonb(random() * 1000) WHEN 1 THEN to_jsonb(repeat('s', i))
            WHEN 2 THEN to_jsonb(i % 3 = 0) WHEN 3 THEN 'null'::jsonb
            WHEN 4 THEN jsonb_build_object('in', i) WHEN 5 THEN jsonb_build_array(i, 'x')
            WHEN 6 THEN to_jsonb((random() - 0.5) * 1e-12) ELSE to_jsonb(i::numeric / 7) END)
        FROM (VALUES (5), (31), (33), (70), (200)) s(n), generate_series(1, 3) r, generate_series(1, n) i
        GROUP BY n, r"#;
    let mut compared = 0;
    Spi::connect(|client| {
        let mut table = client.select(sql, None, &[]).unwrap();
        while table.next().is_some() {
            let datum = table.get_datum_by_ordinal(1).unwrap().unwrap();
            let (in_place, by_iterator) = unsafe { crate::jsonb_arg::entries_both_ways(datum) };
            assert_eq!(in_place.as_ref(), Some(&by_iterator), "in-place reader differs");
            compared += 1;
        }
    });
    assert_eq!(compared, 20);
}
