-- Registers one model per format under the old version (run from the repo root: psql reads the
-- fixture files through backquoted \set).
\set fraud_xgb `cat tests/fixtures/models/fraud_xgb.json`
\set price_lgbm `cat tests/fixtures/models/price_lgbm.json`
\set churn_rf `cat tests/fixtures/models/churn_rf.json`
\set risk_logreg `cat tests/fixtures/models/risk_logreg.json`
SELECT mlobs.register_model('fraud', 'xgboost', :'fraud_xgb');
SELECT mlobs.register_model('price', 'lightgbm', :'price_lgbm');
SELECT mlobs.register_model('churn', 'sklearn', :'churn_rf');
SELECT mlobs.register_model('risk', 'linear', :'risk_logreg');
