-- Singular test: every daily_drift row is of a kind mlobs.feature_types reports. (A singular test instead of
-- accepted_values: its `values:` input would need `arguments:` on dbt >= 1.11 and a top-level key before.)
select day, feature, kind
from {{ ref('daily_drift') }}
where kind is null or kind not in ('numeric', 'categorical')
