-- stg_systems
-- grain: one row per system of the current registry that is not classified.
-- Classified systems (涉密) are excluded from every computation and output (SPEC §2.1).
SELECT *
FROM systems_current
WHERE NOT coalesce(classified, false)
