-- Queries found by sqlsmith, minimised; replayed by tests/integration/sqlsmith/run.sh as mlobs_smith
-- (statement_timeout 1s) before sqlsmith starts. ERRORs are fine, except an internal error
-- (SQLSTATE XX000); a lost connection or a crash line in the server log fails the run. Add a
-- crash's repro here once minimised.

-- Were Rust panics inside pgrx's argument conversion, caught and turned into ERROR XX000 (not
-- crashes, but one guard away from one): a NULL where a non-STRICT function expects a value.
-- Now NULL, or ERROR 22004 naming the argument.
-- "called `Option::unwrap()` on a `None` value" (pgrx callconv.rs:224): NULL arrays
SELECT mlobs.outlier_fences(NULL::float8[]);
SELECT mlobs.shap('fraud', NULL::float8[]);
SELECT mlobs.shap('fraud', ARRAY[120, 35, 23, 80, 4, 0.9], NULL::float8[]);
SELECT mlobs.lime('fraud', NULL::float8[], '{{1,2,3,4,5,6}}');
SELECT mlobs.lime('fraud', ARRAY[120, 35, 23, 80, 4, 0.9], NULL);
-- "argument N must not be null" (src/summary_type.rs:120): NULL summaries and text
SELECT mlobs.drift(NULL::mlobs.profile, NULL::mlobs.profile);
SELECT mlobs.f1(NULL::mlobs.confusion);
SELECT mlobs.outlier_fences(NULL::mlobs.profile);
SELECT mlobs.shap(NULL, ARRAY[120, 35, 23, 80, 4, 0.9]);
SELECT mlobs.what_if('fraud', NULL::jsonb, '{"amount": 1}');
SELECT mlobs.counterfactual('fraud', '{"amount": 1}', NULL);
-- "N was null" (pgrx callconv.rs:106)
SELECT mlobs.psi(NULL::float8[], '{1,2}');
SELECT mlobs.drift(NULL::text[], '{a}');
SELECT mlobs.learned_threshold(NULL);
-- as sqlsmith wrote them (seed 1, focused)
INSERT INTO smith.results VALUES (DEFAULT, CAST(NULL AS mlobs.drift_result),
  mlobs.outlier_fences(CAST(CAST(NULL AS _float8) AS _float8), CAST(CAST(NULL AS text) AS text),
                       CAST(CAST(NULL AS float8) AS float8)));
