{#- SQL-expression helpers around the mlobs extension (everything it defines lives in schema mlobs).
    `column` is any SQL expression; `key`, when given, reads that key of a jsonb payload column. -#}

{#- A jsonb key as a quoted SQL literal. -#}
{% macro _literal(text) -%}
  '{{ text | string | replace("'", "''") }}'
{%- endmacro %}

{#- The numeric value of a column, or of a jsonb key (a non-number JSON value counts as NULL, i.e. missing). -#}
{% macro number(column, key=none) -%}
  {%- if key is none -%}
    ({{ column }})::float8
  {%- else -%}
    (case when jsonb_typeof(({{ column }}) -> {{ mlobs_dbt._literal(key) }}) = 'number'
          then (({{ column }}) ->> {{ mlobs_dbt._literal(key) }})::float8 end)
  {%- endif -%}
{%- endmacro %}

{#- The text value of a column, or of a jsonb key (JSON strings as they are, booleans as 'true'/'false'). -#}
{% macro text(column, key=none) -%}
  {%- if key is none -%}
    ({{ column }})::text
  {%- else -%}
    (({{ column }}) ->> {{ mlobs_dbt._literal(key) }})
  {%- endif -%}
{%- endmacro %}

{#- Aggregates: a mergeable numeric profile (mlobs.profile) and category counts (mlobs.categories). -#}
{% macro profile(column, key=none) -%}
  mlobs.profile_agg({{ mlobs_dbt.number(column, key) }})
{%- endmacro %}

{% macro categories(column, key=none) -%}
  mlobs.category_agg({{ mlobs_dbt.text(column, key) }})
{%- endmacro %}

{#- The UTC calendar day of a timestamptz (pass tz for another zone). -#}
{% macro day(time_column, tz='UTC') -%}
  (({{ time_column }}) at time zone {{ mlobs_dbt._literal(tz) }})::date
{%- endmacro %}

{#- WHERE-clause predicate for incremental daily models: on an incremental run, only rows from the
    last day already stored onward (that day is recomputed: it may have been incomplete; with a
    unique_key the model replaces its rows), and from lookback_days days before it: rows written
    since (labels landing by UPDATE days after the prediction) change those days too, so a model
    reading labels passes its label horizon. `true` on the first run and on --full-refresh.
    time_column is a timestamptz (or, with timestamptz=false, a timestamp or date). -#}
{% macro reprocess_from(time_column, day_column='day', timestamptz=true, tz='UTC', lookback_days=0) -%}
  {%- if is_incremental() -%}
    {%- set lookback = lookback_days | int -%}
    {%- if lookback < 0 -%}
      {{ exceptions.raise_compiler_error("reprocess_from: lookback_days must be 0 or more, got " ~ lookback_days) }}
    {%- endif -%}
    {%- set last_day = "(coalesce((select max(" ~ day_column ~ ") from " ~ this ~ "), '-infinity'::date) - " ~ lookback ~ ")" -%}
    {%- if timestamptz -%}
      {{ time_column }} >= ({{ last_day }}::timestamp at time zone {{ mlobs_dbt._literal(tz) }})
    {%- else -%}
      {{ time_column }} >= {{ last_day }}
    {%- endif -%}
  {%- else -%}
    true
  {%- endif -%}
{%- endmacro %}

{#- A scalar subquery: reference-quantile PSI (bins quantile bins of the reference) of `column`
    between two relations/filters, read from mlobs profiles (one pass per side). -#}
{% macro psi_between(reference_relation, current_relation, column, key=none,
                     reference_filter='true', current_filter='true', bins=10) -%}
  (select mlobs.psi(r.p, c.p, {{ bins }})
     from (select {{ mlobs_dbt.profile(column, key) }} as p from {{ reference_relation }} where {{ reference_filter }}) r,
          (select {{ mlobs_dbt.profile(column, key) }} as p from {{ current_relation }} where {{ current_filter }}) c)
{%- endmacro %}

{#- Internal: the inputs of a generic test. dbt >= 1.10.5 unpacks a test's `arguments:` block itself;
    older versions pass the block as one keyword argument `arguments`, whose keys then override the
    defaults given here. Unknown keys are a compile error (a typo would otherwise be ignored). -#}
{% macro _test_args(arguments) -%}
  {%- set out = {} -%}
  {%- do out.update(kwargs) -%}
  {%- if arguments is mapping -%}
    {%- for k, v in arguments.items() -%}
      {%- if k not in kwargs -%}
        {{ exceptions.raise_compiler_error("unknown argument '" ~ k ~ "' (expected one of " ~ (kwargs.keys() | sort | join(', ')) ~ ")") }}
      {%- endif -%}
      {%- do out.update({k: v}) -%}
    {%- endfor -%}
  {%- elif arguments is not none -%}
    {{ exceptions.raise_compiler_error("arguments must be a mapping") }}
  {%- endif -%}
  {{ return(out) }}
{%- endmacro %}

{#- Internal: warn when dbt's `config: where:` also filters a drift test's reference rows. -#}
{% macro _warn_where_on_reference(test_name, reference_relation, where_filters_reference) -%}
  {%- if execute and config.get('where') and reference_relation is none and not where_filters_reference -%}
    {%- do exceptions.warn(test_name ~ ": config where (" ~ config.get('where') ~ ") filters the reference rows as well as the current ones; filter one side with reference_filter / current_filter, read the reference from reference_relation, or set where_filters_reference: true") -%}
  {%- endif -%}
{%- endmacro %}
