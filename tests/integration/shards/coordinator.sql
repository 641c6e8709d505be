-- The coordinator: one foreign server per shard with `extensions 'mlobs'` (without it
-- postgres_fdw ships no mlobs function or aggregate), the log as a table partitioned by shard
-- whose partitions are the shards' tables, and the same rows in one local table as the
-- single-node reference. psql variables: rows, port1..port3.
CREATE EXTENSION mlobs;
CREATE EXTENSION postgres_fdw;
\ir generate.sql

CREATE SERVER shard1 FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '127.0.0.1', port :'port1', dbname 'mlobs_shard', extensions 'mlobs', async_capable 'true', batch_size '1000');
CREATE SERVER shard2 FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '127.0.0.1', port :'port2', dbname 'mlobs_shard', extensions 'mlobs', async_capable 'true', batch_size '1000');
CREATE SERVER shard3 FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '127.0.0.1', port :'port3', dbname 'mlobs_shard', extensions 'mlobs', async_capable 'true', batch_size '1000');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard1 OPTIONS (user 'postgres');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard2 OPTIONS (user 'postgres');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard3 OPTIONS (user 'postgres');

CREATE TABLE predictions (LIKE predictions_single) PARTITION BY LIST (shard);
CREATE FOREIGN TABLE predictions_s1 PARTITION OF predictions FOR VALUES IN (1) SERVER shard1 OPTIONS (table_name 'predictions');
CREATE FOREIGN TABLE predictions_s2 PARTITION OF predictions FOR VALUES IN (2) SERVER shard2 OPTIONS (table_name 'predictions');
CREATE FOREIGN TABLE predictions_s3 PARTITION OF predictions FOR VALUES IN (3) SERVER shard3 OPTIONS (table_name 'predictions');

-- Rows are routed to their shard by the partitioning (batched remote INSERTs), in id order.
INSERT INTO predictions SELECT * FROM predictions_single ORDER BY id;

-- A server without `extensions 'mlobs'`, for the negative control in shards.sh.
CREATE SERVER shard1_plain FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port :'port1', dbname 'mlobs_shard');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard1_plain OPTIONS (user 'postgres');
CREATE SCHEMA plain;
IMPORT FOREIGN SCHEMA public LIMIT TO (predictions) FROM SERVER shard1_plain INTO plain;
ANALYZE predictions_single;
