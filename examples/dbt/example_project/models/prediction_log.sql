-- Stand-in for the application's prediction log (point the monitoring models at your own table
-- instead): one row per prediction with a jsonb feature payload, the model's score, its decision and
-- the label. Deterministic (low-discrepancy sequences, no random()); rows_per_day rows a day for
-- log_start .. log_through. From drift_from on, `amount` shifts upwards, 10 % of the payments go to a
-- new merchant category 'crypto' and the true fraud rate no longer follows the score.
-- About 1.5 % of the payloads lack `amount` (absent key or JSON null). label_at: when the label landed.
with grid as (
    select d, i,
           ('{{ var("log_start") }}'::date + d) >= '{{ var("drift_from") }}'::date as drifted,
           (('{{ var("log_start") }}'::date + d)::timestamp at time zone 'UTC')
             + i * (interval '1 day' / {{ var("rows_per_day") }}) as ts,
           (i * 0.7548776662 + d * 0.1234567) % 1 as u_amount,
           (i * 0.5698402910 + d * 0.3700000) % 1 as u_age,
           (i * 0.6180339887 + d * 0.7130000) % 1 as u_label
    from generate_series(0, '{{ var("log_through") }}'::date - '{{ var("log_start") }}'::date) d,
         generate_series(0, {{ var("rows_per_day") }} - 1) i
),
values_ as (
    select *,
           round((case when drifted then 60 + 140 * u_amount else 20 + 80 * u_amount end)::numeric, 2)::float8 as amount,
           18 + floor(60 * u_age)::int as age,
           case when drifted and i % 10 = 0 then 'crypto' else (array['grocery', 'fuel', 'travel'])[1 + i % 3] end as merchant
    from grid
),
scored as (
    select *,
           round((1 / (1 + exp(-(0.04 * (amount - 60) + 0.03 * (age - 48)))))::numeric, 4)::float8 as score,
           1 / (1 + exp(-(0.04 * (amount - (case when drifted then 120 else 60 end)) + 0.03 * (age - 48)))) as true_rate
    from values_
)
select row_number() over (order by ts) as id,
       ts,
       jsonb_build_object('age', age, 'merchant', merchant)
         || case when i % 97 = 0 then '{}'::jsonb
                 when i % 211 = 0 then '{"amount": null}'::jsonb
                 else jsonb_build_object('amount', amount) end as features,
       score,
       (score >= 0.5)::int as predicted,
       (u_label < true_rate)::int as label,
       -- when the label arrived: 6 to 42 hours after the prediction
       ts + interval '6 hours' + (i % 4) * interval '12 hours' as label_at
from scored
