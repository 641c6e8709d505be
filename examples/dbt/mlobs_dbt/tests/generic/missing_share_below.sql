{#- Fails (one row per offending window) when the missing share is >= threshold.
    Missing follows mlobs (Evidently's legacy definition):
      key given (jsonb column): key absent, JSON null, NaN/±Infinity or '' — mlobs.features_agg +
                                mlobs.quality_report's missing_share (a key never seen: share 1);
      kind 'numeric' (default): NULL, NaN, ±Infinity — mlobs.missing_share(mlobs.profile_agg(...));
      kind 'categorical':       NULL or '' — mlobs.missing_share(mlobs.category_agg(...)).
    arguments: threshold (default 0.05), key, kind, group_by (SQL expression, one share per window),
    filter (SQL predicate on the rows checked; `config: where:` does the same). -#}
{% test missing_share_below(model, column_name, threshold=0.05, key=none, kind='numeric',
                                  group_by=none, filter=none, arguments=none, description=none) %}
{%- set a = mlobs_dbt._test_args(arguments, threshold=threshold, key=key, kind=kind, group_by=group_by, filter=filter) -%}
{%- set threshold, key, kind, group_by, filter = a.threshold, a.key, a.kind, a.group_by, a.filter -%}
{%- if kind not in ['numeric', 'categorical'] -%}
  {{ exceptions.raise_compiler_error("missing_share_below: kind must be 'numeric' or 'categorical', got '" ~ kind ~ "'") }}
{%- endif %}
with windows as (
    select ({{ group_by or "'all'::text" }})::text as current_window,
    {%- if key is not none %}
           mlobs.features_agg({{ column_name }}) as summary
    {%- elif kind == 'numeric' %}
           {{ mlobs_dbt.profile(column_name) }} as summary
    {%- else %}
           {{ mlobs_dbt.categories(column_name) }} as summary
    {%- endif %}
    from {{ model }}
    where {{ filter or 'true' }}
    group by 1
),
shares as (
    select current_window,
    {%- if key is not none %}
           coalesce((select q.value from mlobs.quality_report(summary, summary) q
                      where q.feature = {{ mlobs_dbt._literal(key) }} and q.check_name = 'missing_share'), 1)
    {%- else %}
           mlobs.missing_share(summary)
    {%- endif %} as missing_share
    from windows
)
select current_window, missing_share, {{ threshold }} as threshold
from shares
where missing_share >= {{ threshold }}
{% endtest %}
