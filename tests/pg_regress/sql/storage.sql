-- Summaries stored in tables: dump-style text round trip, binary COPY round trip, forged
-- binary input rejected.
CREATE TABLE profiles(h int, p mlobs.profile, hist mlobs.histogram);
INSERT INTO profiles SELECT i % 3, mlobs.profile_agg(i / 7.0), mlobs.histogram_agg(i, '{0,100,1000}') FROM generate_series(1, 3000) i GROUP BY 1;
-- Text (what pg_dump writes) back to the same bytes.
SELECT bool_and(mlobs_internal.profile_send(p::text::mlobs.profile) = mlobs_internal.profile_send(p)) AS profile_text_round_trip,
       bool_and(mlobs_internal.histogram_send(hist::text::mlobs.histogram) = mlobs_internal.histogram_send(hist)) AS histogram_text_round_trip
  FROM profiles;
-- Binary COPY out and in (send/recv).
\set binfile '/tmp/mlobs_regress_profiles.bin'
COPY profiles TO :'binfile' (FORMAT binary);
CREATE TABLE profiles_copy (LIKE profiles);
COPY profiles_copy FROM :'binfile' (FORMAT binary);
SELECT count(*) AS same_rows FROM profiles a JOIN profiles_copy b ON a.h = b.h AND a.p::text = b.p::text AND a.hist::text = b.hist::text;
-- Forged bytes through recv: a bytea column copied out in binary is read back as a profile.
CREATE TABLE forged(b bytea);
INSERT INTO forged VALUES ('\x4d4c706601ffff');
\set forgedfile '/tmp/mlobs_regress_forged.bin'
COPY forged TO :'forgedfile' (FORMAT binary);
CREATE TABLE target(p mlobs.profile);
\set VERBOSITY sqlstate
COPY target FROM :'forgedfile' (FORMAT binary);
\set VERBOSITY default
COPY target FROM :'forgedfile' (FORMAT binary);
TRUNCATE forged;
INSERT INTO forged VALUES ('\x00');
COPY forged TO :'forgedfile' (FORMAT binary);
CREATE TABLE target_h(h mlobs.histogram);
COPY target_h FROM :'forgedfile' (FORMAT binary);
-- Large summaries are TOASTed (compressed/external) and read back intact.
CREATE TABLE wide AS SELECT mlobs.profile_agg(exp(i / 300.0)) p FROM generate_series(-6000, 6000) i;
SELECT mlobs.count(p), pg_column_size(p) < octet_length(mlobs_internal.profile_send(p)) AS compressed FROM wide;
