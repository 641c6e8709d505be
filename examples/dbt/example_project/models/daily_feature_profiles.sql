-- One row per UTC day and feature of the log's jsonb payload, with the mergeable mlobs summaries:
-- `profile` (mlobs.profile: counts, min/max/mean, quantile sketch) for numbers and `categories`
-- (mlobs.categories) for strings/booleans. One mlobs.features_agg pass per day. Incremental: a run
-- only reads the log from the last stored day onward (that day is recomputed, it may have been
-- partial); the unique_key replaces its rows. Any window is later a mlobs.rollup of these rows.
{{ config(materialized='incremental', unique_key=['day', 'feature'], incremental_strategy='delete+insert') }}
with days as (
    select {{ mlobs_dbt.day('ts') }} as day, mlobs.features_agg(features) as fp
    from {{ ref('prediction_log') }}
    where {{ mlobs_dbt.reprocess_from('ts') }}
    group by 1
)
select d.day,
       t.feature,
       t.kind,
       mlobs.row_count(d.fp) as rows,
       t.missing as absent,
       mlobs.feature_profile(d.fp, t.feature) as profile,
       mlobs.feature_categories(d.fp, t.feature) as categories,
       mlobs.mean(mlobs.feature_profile(d.fp, t.feature)) as mean,
       now() as computed_at
from days d
cross join lateral mlobs.feature_types(d.fp) t
