-- pg_temp.median_ms(query, reps, workers): median wall time in ms of `reps` executions with
-- at most `workers` parallel workers (parallel costs zeroed so the planner uses them).
CREATE OR REPLACE FUNCTION pg_temp.median_ms(q text, reps int, workers int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; times float8[] := '{}';
BEGIN
  PERFORM set_config('max_parallel_workers_per_gather', workers::text, true);
  PERFORM set_config('parallel_setup_cost', '0', true);
  PERFORM set_config('min_parallel_table_scan_size', '0', true);
  FOR i IN 1..reps LOOP
    t0 := clock_timestamp();
    EXECUTE q;
    times := times || (extract(epoch FROM clock_timestamp() - t0) * 1000)::float8;
  END LOOP;
  RETURN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY t) FROM unnest(times) t);
END $$;
