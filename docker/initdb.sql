CREATE EXTENSION IF NOT EXISTS mlobs;
CREATE EXTENSION IF NOT EXISTS pg_cron;
SELECT mlobs.schedule_monitors('*/5 * * * *');
