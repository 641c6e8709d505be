-- mlobs finalize: privileges. Runs last in the extension script.
-- PUBLIC may use the schema (call the pure functions) but never create objects in it.
REVOKE ALL ON SCHEMA mlobs FROM PUBLIC;
GRANT USAGE ON SCHEMA mlobs TO PUBLIC;
