-- A log whose names try to become markup, and a feature with 5 000 distinct categories (the
-- report must stay text and bounded). Deterministic.
SET client_min_messages = warning;
CREATE TABLE "<b>log</b>" (ts timestamptz NOT NULL, features jsonb, score float8);
INSERT INTO "<b>log</b>"
SELECT timestamptz '2026-03-01' + i * interval '1 minute',
       jsonb_build_object('<script>alert(1)</script>', (i % 97) * CASE WHEN i > 2880 THEN 3 ELSE 1 END,
                          'many" onload="x', 'value ' || (i % 5000),
                          'huge', CASE WHEN i = 3000 THEN 1e400 ELSE i END),
       (i % 100) / 100.0
  FROM generate_series(0, 4 * 1440 - 1) i;
SELECT mlobs.create_monitor('<img src=x onerror=alert(2)>', '"&<model>', '"<b>log</b>"', 'feature_drift', '{}', '6 hours',
                            '2026-03-01', '2026-03-02') > 0;
SELECT mlobs.create_monitor('hostile quality', '"&<model>', '"<b>log</b>"', 'quality', '{}', '6 hours', '2026-03-01', '2026-03-02') > 0;
SELECT status FROM mlobs.run_monitors('2026-03-05');
