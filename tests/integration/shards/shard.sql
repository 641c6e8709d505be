-- One shard: the extension and its slice of the prediction log (same columns as
-- predictions_single in generate.sql; postgres_fdw maps columns by name).
CREATE EXTENSION mlobs;
CREATE TABLE predictions (
  shard int NOT NULL, id bigint PRIMARY KEY, ts timestamptz NOT NULL,
  amount float8, age float8, n_tx int, merchant text, device text, features jsonb,
  score float8, predicted int, label int, delivery_min float8, delivery_min_pred float8);
