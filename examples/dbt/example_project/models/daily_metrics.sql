-- Model quality per UTC day: the mergeable summaries (mlobs.confusion of label × decision,
-- mlobs.score_summary of score × label) and the metrics read from them. Any longer window is a
-- rollup: select mlobs.accuracy(mlobs.rollup(confusion)), mlobs.roc_auc(mlobs.rollup(scores)) ...
-- Labels land late (by UPDATE of rows already logged): every incremental run recomputes the last
-- label_horizon_days days before the last stored day as well (dbt_project.yml), so a day's metrics
-- are final once its labels are older than that horizon (docs/dbt.md, "Late labels").
{{ config(materialized='incremental', unique_key='day', incremental_strategy='delete+insert') }}
with days as (
    select {{ mlobs_dbt.day('ts') }} as day,
           count(*) as predictions,
           count(label) as labelled,
           mlobs.confusion_agg(label, predicted) as confusion,
           mlobs.score_agg(score, label) as scores
    from {{ ref('prediction_log') }}
    where {{ mlobs_dbt.reprocess_from('ts', lookback_days=var('label_horizon_days', 3)) }}
    group by 1
)
select day, predictions, labelled, confusion, scores,
       mlobs.accuracy(confusion) as accuracy,
       mlobs.f1(confusion) as f1,
       mlobs.roc_auc(scores) as roc_auc,
       now() as computed_at
from days
