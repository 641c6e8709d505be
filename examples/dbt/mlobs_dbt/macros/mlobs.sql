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
    unique_key the model replaces its rows). `true` on the first run and on --full-refresh.
    time_column is a timestamptz (or, with timestamptz=false, a timestamp or date). -#}
{% macro reprocess_from(time_column, day_column='day', timestamptz=true, tz='UTC') -%}
  {%- if is_incremental() -%}
    {%- set last_day = "coalesce((select max(" ~ day_column ~ ") from " ~ this ~ "), '-infinity'::date)" -%}
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
