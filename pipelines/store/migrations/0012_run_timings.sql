-- 0012 run timings (docs/performance.md "Where the monthly run's time goes"): each run keeps how
-- long each of its steps took, in milliseconds — preparing the parameters, every SQL model, writing
-- the results, and, added once they are written, the exports, documents and dashboard. A JSON
-- object { step: ms } in step order; NULL for runs recorded before this migration.

ALTER TABLE runs ADD COLUMN timings JSON;
