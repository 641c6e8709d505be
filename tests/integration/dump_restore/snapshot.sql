-- Every mlobs table as sorted text, one line per table with its row count and md5 (the round
-- trip must reproduce each one exactly, ids, timestamps and sequence positions included).
\pset footer off
\pset tuples_only on
SELECT c.relname || ' rows=' || (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %s', c.oid::regclass), false, true, '')))[1]::text
       || ' md5=' || (xpath('/row/h/text()', query_to_xml(format('SELECT md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) AS h FROM %s t', c.oid::regclass), false, true, '')))[1]::text
FROM pg_class c WHERE c.relnamespace = 'mlobs'::regnamespace AND c.relkind = 'r' ORDER BY c.relname;
SELECT s.relname || ' last_value=' || (xpath('/row/v/text()', query_to_xml(format('SELECT last_value AS v FROM %s', s.oid::regclass), false, true, '')))[1]::text
FROM pg_class s WHERE s.relnamespace = 'mlobs'::regnamespace AND s.relkind = 'S' ORDER BY s.relname;
