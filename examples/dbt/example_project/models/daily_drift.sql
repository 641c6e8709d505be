-- PSI of every day after the reference window against that window, per feature, computed from the
-- stored daily summaries only (mlobs.rollup merges the reference days; no raw rows are read):
-- reference-quantile PSI of the profiles for numeric features, PSI of the category shares for
-- categorical ones. drifted = psi >= psi_threshold (Evidently's 0.1). Incremental like its input.
{{ config(materialized='incremental', unique_key=['day', 'feature'], incremental_strategy='delete+insert') }}
with reference as (
    select feature, mlobs.rollup(profile) as profile, mlobs.rollup(categories) as categories
    from {{ ref('daily_feature_profiles') }}
    where day >= '{{ var("reference_start") }}' and day < '{{ var("reference_end") }}'
    group by feature
),
current_days as (
    select *
    from {{ ref('daily_feature_profiles') }}
    where day >= '{{ var("reference_end") }}'
      and {{ mlobs_dbt.reprocess_from('day', timestamptz=false) }}
),
scored as (
    select c.day, c.feature, c.kind,
           case when c.kind = 'numeric' then mlobs.psi(r.profile, c.profile, 'reference_quantile')
                when c.kind = 'categorical' then (mlobs.drift(r.categories, c.categories, 'psi')).statistic
           end as psi,
           case when c.kind = 'categorical' then mlobs.new_categories(r.categories, c.categories) end as new_categories
    from current_days c
    left join reference r using (feature)
)
select day, feature, kind, psi, psi >= {{ var("psi_threshold") }} as drifted, new_categories, now() as computed_at
from scored
