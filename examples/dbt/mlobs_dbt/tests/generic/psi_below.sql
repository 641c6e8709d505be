{#- Fails (one row per offending current window) when PSI(reference, current) >= threshold, or when PSI
    is undefined (an empty reference).
    arguments:
      reference_filter  SQL predicate selecting the reference rows (default: all rows)
      current_filter    SQL predicate selecting the current rows (default: all rows)
      reference_relation  take the reference rows from this relation instead of the tested model
      group_by          SQL expression splitting the current rows into windows (e.g. a day); one PSI each
      threshold         default 0.1 (Evidently's drift threshold)
      key               read this key of a jsonb column (non-numbers count as missing)
      binning           'profile' (default): mlobs.psi on two mlobs.profile summaries, reference-quantile
                        bins read from the sketches; 'evidently' or 'reference_quantile': exact PSI on the
                        raw value arrays (mlobs.psi(float8[], float8[], binning, bins))
      bins              quantile bins (default 10; must stay unset with 'evidently')
      stored            true when the column already holds mlobs.profile values (e.g. daily summaries
                        stored by an incremental model): they are merged with mlobs.rollup, no raw scan
      where_filters_reference  true: accept that `config: where:` also filters the reference rows (see below)
    dbt's `config: where:` wraps the tested model in a filtered subquery before the test sees it, so without
    reference_relation it filters the reference rows as well as the current ones; the test then warns
    (an error under --warn-error) unless where_filters_reference is true. Filter one side with
    reference_filter / current_filter, or read the reference from reference_relation (e.g. the same
    model, unfiltered: "{{ ref('prediction_log') }}").
    `arguments` / `description`: dbt 1.8 - 1.10.4 pass a test's `arguments:` block and `description:` to the
    macro as keyword arguments; the test reads its inputs from that block (mlobs_dbt._test_args). -#}
{% test psi_below(model, column_name, reference_filter=none, current_filter=none, threshold=0.1,
                        key=none, group_by=none, reference_relation=none, binning='profile', bins=none,
                        stored=false, where_filters_reference=false, arguments=none, description=none) %}
{%- set a = mlobs_dbt._test_args(arguments, reference_filter=reference_filter, current_filter=current_filter,
                                 threshold=threshold, key=key, group_by=group_by, reference_relation=reference_relation,
                                 binning=binning, bins=bins, stored=stored,
                                 where_filters_reference=where_filters_reference) -%}
{%- set reference_filter, current_filter, threshold, key, group_by = a.reference_filter, a.current_filter, a.threshold, a.key, a.group_by -%}
{%- set reference_relation, binning, bins, stored = a.reference_relation, a.binning, a.bins, a.stored -%}
{{- mlobs_dbt._warn_where_on_reference('psi_below', reference_relation, a.where_filters_reference) -}}
{%- if binning not in ['profile', 'evidently', 'reference_quantile'] -%}
  {{ exceptions.raise_compiler_error("psi_below: binning must be 'profile', 'evidently' or 'reference_quantile', got '" ~ binning ~ "'") }}
{%- endif -%}
{%- if stored and (binning != 'profile' or key is not none) -%}
  {{ exceptions.raise_compiler_error("psi_below: stored profiles take binning 'profile' and no key") }}
{%- endif -%}
{%- if stored -%}
  {%- set summary = 'mlobs.rollup(' ~ column_name ~ ')' -%}
{%- elif binning == 'profile' -%}
  {%- set summary = mlobs_dbt.profile(column_name, key) -%}
{%- else -%}
  {%- set summary = 'array_agg(' ~ mlobs_dbt.number(column_name, key) ~ ')' -%}
{%- endif -%}
{%- if binning == 'profile' -%}
  {%- set psi = 'mlobs.psi(r.summary, c.summary, ' ~ (bins if bins is not none else 10) ~ ')' -%}
{%- else -%}
  {%- set psi = "mlobs.psi(r.summary, c.summary, '" ~ binning ~ "', " ~ (bins if bins is not none else 'null') ~ ")" -%}
{%- endif %}
with reference as (
    select {{ summary }} as summary
    from {{ reference_relation if reference_relation is not none else model }}
    where {{ reference_filter or 'true' }}
),
current_windows as (
    select ({{ group_by or "'all'::text" }})::text as current_window, {{ summary }} as summary
    from {{ model }}
    where {{ current_filter or 'true' }}
    group by 1
),
scored as (
    select c.current_window, {{ psi }} as psi
    from reference r cross join current_windows c
)
select current_window, psi, {{ threshold }} as threshold
from scored
where psi is null or psi >= {{ threshold }}
{% endtest %}
