{#- Fails (one row per offending current window) when the current rows hold categories the reference
    never had (mlobs.new_categories over mlobs.category_agg summaries; '' is a category, NULL is not),
    more precisely when their share of the current non-NULL values exceeds max_share (default 0: any),
    or when the reference has no value at all (a filter that matches nothing is not a pass).
    arguments: reference_filter, current_filter, reference_relation, group_by, key (jsonb), max_share,
    where_filters_reference (as psi_below: `config: where:` filters the reference rows too unless
    reference_relation is given; the test warns unless this is true). -#}
{% test no_new_categories(model, column_name, reference_filter=none, current_filter=none, key=none,
                                group_by=none, reference_relation=none, max_share=0,
                                where_filters_reference=false, arguments=none, description=none) %}
{%- set a = mlobs_dbt._test_args(arguments, reference_filter=reference_filter, current_filter=current_filter,
                                 key=key, group_by=group_by, reference_relation=reference_relation,
                                 max_share=max_share, where_filters_reference=where_filters_reference) -%}
{%- set reference_filter, current_filter, key, group_by = a.reference_filter, a.current_filter, a.key, a.group_by -%}
{%- set reference_relation, max_share = a.reference_relation, a.max_share -%}
{{- mlobs_dbt._warn_where_on_reference('no_new_categories', reference_relation, a.where_filters_reference) -}}
with reference as (
    select {{ mlobs_dbt.categories(column_name, key) }} as summary
    from {{ reference_relation if reference_relation is not none else model }}
    where {{ reference_filter or 'true' }}
),
current_windows as (
    select ({{ group_by or "'all'::text" }})::text as current_window,
           {{ mlobs_dbt.categories(column_name, key) }} as summary
    from {{ model }}
    where {{ current_filter or 'true' }}
    group by 1
),
compared as (
    select c.current_window, mlobs.new_categories(r.summary, c.summary) as new_categories,
           mlobs.new_category_share(r.summary, c.summary) as new_category_share,
           r.summary is null as empty_reference
    from reference r cross join current_windows c
)
select current_window, new_categories, new_category_share, {{ max_share }} as max_share, empty_reference
from compared
where coalesce(new_category_share, 0) > {{ max_share }} or empty_reference
{% endtest %}
