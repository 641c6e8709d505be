-- pg_temp.bench(grp, tbl, rows, names, sqls, reps): times every query of a group in both modes
-- (serial, 2 parallel workers) and stores the medians in bench_results. Repetitions are
-- interleaved (A B C, A B C, ...) so machine noise hits the baseline (names[1]) and the
-- candidates alike; ratios are taken within one group, one mode, one run. `%t` in a query is
-- replaced by the table name.
CREATE TABLE IF NOT EXISTS bench_results (
  run_at timestamptz DEFAULT now(), tbl text, rows bigint, grp text, mode text, ord int,
  name text, ms float8, baseline text, baseline_ms float8);
-- The fastest repetition beside the median: interference on a shared machine only ever adds
-- time, so on a noisy one the minimum is the steadier estimate of a query's own cost.
ALTER TABLE bench_results ADD COLUMN IF NOT EXISTS min_ms float8;
ALTER TABLE bench_results ADD COLUMN IF NOT EXISTS baseline_min_ms float8;

CREATE OR REPLACE FUNCTION pg_temp.bench(grp text, tbl text, nrows bigint, names text[], sqls text[], reps int)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; times float8[]; n int := cardinality(names); workers int; mode text;
BEGIN
  DELETE FROM bench_results b WHERE b.tbl = bench.tbl AND b.grp = bench.grp;
  FOREACH workers IN ARRAY ARRAY[0, 2] LOOP
    mode := CASE workers WHEN 0 THEN 'serial' ELSE '2 workers' END;
    PERFORM set_config('max_parallel_workers_per_gather', workers::text, true);
    PERFORM set_config('parallel_setup_cost', '0', true);
    PERFORM set_config('parallel_tuple_cost', '0', true);
    PERFORM set_config('min_parallel_table_scan_size', '0', true);
    times := array_fill(NULL::float8, ARRAY[n, reps]);
    FOR r IN 1..reps LOOP
      FOR i IN 1..n LOOP
        t0 := clock_timestamp();
        EXECUTE replace(sqls[i], '%t', tbl);
        times[i][r] := extract(epoch FROM clock_timestamp() - t0) * 1000;
      END LOOP;
    END LOOP;
    INSERT INTO bench_results (tbl, rows, grp, mode, ord, name, ms, min_ms, baseline)
    SELECT tbl, nrows, grp, mode, i, names[i],
           (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY times[i][r2]) FROM generate_series(1, reps) r2),
           (SELECT min(times[i][r2]) FROM generate_series(1, reps) r2),
           names[1]
    FROM generate_series(1, n) i;
  END LOOP;
  UPDATE bench_results b SET baseline_ms = base.ms, baseline_min_ms = base.min_ms
  FROM bench_results base
  WHERE b.tbl = bench.tbl AND b.grp = bench.grp AND base.tbl = b.tbl AND base.grp = b.grp
    AND base.mode = b.mode AND base.ord = 1;
END $$;
