-- 0003 cloud costs (docs/inputs.md §2.5): FinOps FOCUS 1.x cost-and-usage rows loaded by `govmon pull focus`,
-- how each row was attributed to a system, and the measured yearly cloud cost that takes the place
-- of the registry's cloud_cost_annual where present (view system_cloud_cost).

CREATE SEQUENCE cloud_cost_batch_seq START 1;

-- grain: one row per FOCUS file loaded (the file itself — hash, archive path, status, rows — is
-- in `files` with kind 'focus'). A batch is the new files of one pull: the parts of a multi-file
-- export of a billing period arrive together and replace together (cloud_costs_current).
CREATE TABLE cloud_cost_files (
  file_id    INTEGER PRIMARY KEY,
  batch_id   INTEGER NOT NULL,
  cost_basis VARCHAR NOT NULL,   -- billed | effective: the FOCUS column that is the measured cost
  mapping    JSON NOT NULL,      -- how rows were attributed: {"tag", "values", "resources"} as given
  fx_to_cny  JSON NOT NULL       -- the rates used, e.g. {"CNY": 1, "USD": 7.1}
);

-- grain: one row per charge row of a FOCUS file (row_no as a person counts lines, header = 1).
-- Kept per source row rather than summed per system × billing period: every amount stays
-- traceable to its file and line, the attribution of each row (or why it has none) can be
-- checked row by row, and the rows still add up to the provider's invoice totals whatever the
-- mapping. A year of a city's cloud bill is a few million rows, small for DuckDB.
CREATE TABLE raw_cloud_costs (
  file_id              INTEGER NOT NULL,
  row_no               BIGINT NOT NULL,
  provider_name        VARCHAR,
  billing_account_id   VARCHAR,
  sub_account_id       VARCHAR,
  billing_period_start TIMESTAMPTZ NOT NULL,
  billing_period_end   TIMESTAMPTZ,
  billing_month        DATE NOT NULL,   -- first day of the month of billing_period_start, Asia/Shanghai
  charge_period_start  TIMESTAMPTZ,
  charge_category      VARCHAR,         -- Usage | Purchase | Tax | Credit | Adjustment
  service_name         VARCHAR,
  resource_id          VARCHAR,
  resource_name        VARCHAR,
  billing_currency     VARCHAR NOT NULL,
  billed_cost          DOUBLE NOT NULL, -- in billing_currency, as written
  effective_cost       DOUBLE,          -- in billing_currency, as written
  fx_to_cny            DOUBLE NOT NULL, -- yuan per unit of billing_currency, given at pull time
  tags                 VARCHAR,         -- the Tags JSON object as written; NULL when absent or not an object
  tag_value            VARCHAR,         -- the value of the mapping's tag key
  system_id            VARCHAR,         -- NULL: unmapped — kept, reported, counted in no system's cost
  mapped_by            VARCHAR,         -- resource | tag
  unmapped_reason      VARCHAR          -- why system_id is NULL (Chinese)
);

-- A FOCUS date/time: ISO 8601 with a zone, or without one as many exports write it (the FOCUS
-- sample: 'YYYY-MM-DD HH:MM:SS'). FOCUS date/times are UTC, so a zone-less one is read as UTC.
CREATE MACRO gm_parse_focus_ts(s) AS CASE
  WHEN regexp_matches(s, '[T ][0-9]{2}:[0-9]{2}') AND regexp_matches(s, '(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$')
    THEN TRY_CAST(s AS TIMESTAMPTZ)
  ELSE timezone('UTC', TRY_CAST(s AS TIMESTAMP))
END;

-- Current rows: for each provider, billing account and billing month, the rows of the latest
-- batch that delivered that month. Providers re-issue a billing period's export as a whole
-- (month to date, then corrected), so a later delivery replaces the earlier one; summing both
-- would count the month twice.
CREATE VIEW cloud_costs_current AS
WITH charges AS (
  SELECT c.*, f.batch_id, f.cost_basis FROM raw_cloud_costs c JOIN cloud_cost_files f USING (file_id)
), latest AS (
  SELECT provider_name, billing_account_id, billing_month, max(batch_id) AS batch_id FROM charges GROUP BY ALL
), final AS (
  SELECT c.* FROM charges c JOIN latest l
    ON l.provider_name IS NOT DISTINCT FROM c.provider_name
   AND l.billing_account_id IS NOT DISTINCT FROM c.billing_account_id
   AND l.billing_month = c.billing_month
   AND l.batch_id = c.batch_id
)
SELECT * FROM final;

-- grain: one row per system per year with attributed charges. measured_cost_yuan is the sum over
-- the year's billing months of each row's cost × its rate to yuan; the cost is BilledCost, or
-- EffectiveCost (amortised commitments) — `basis` 'billed' | 'effective', or NULL for the basis
-- each file was pulled with (--cost).
CREATE MACRO cloud_cost_measured_as(basis) AS TABLE
WITH charges AS (
  SELECT *, coalesce(basis, cost_basis) AS basis_used FROM cloud_costs_current WHERE system_id IS NOT NULL
), final AS (
  SELECT system_id,
    CAST(year(billing_month) AS INTEGER) AS year,
    sum(CASE basis_used WHEN 'effective' THEN effective_cost ELSE billed_cost END * fx_to_cny) AS measured_cost_yuan,
    count(DISTINCT billing_month) AS billing_months,
    string_agg(DISTINCT basis_used, ',' ORDER BY basis_used) AS cost_basis,
    count(*) AS charge_rows
  FROM charges GROUP BY system_id, year(billing_month)
)
SELECT * FROM final;

CREATE VIEW cloud_cost_measured AS SELECT * FROM cloud_cost_measured_as(NULL);

-- grain: one row per year with FOCUS data: how many of its billing months are loaded.
CREATE VIEW cloud_cost_coverage AS
SELECT CAST(year(billing_month) AS INTEGER) AS year, count(DISTINCT billing_month) AS months_loaded,
  min(billing_month) AS first_month, max(billing_month) AS last_month
FROM cloud_costs_current GROUP BY ALL;

-- grain: one row per registry system (classified systems excluded, docs/inputs.md §2.1) per year with FOCUS
-- data. "Use the measured yearly cost in place of cloud_cost_annual where present, saying which
-- was used": cost_source 'measured' when the system has attributed charges that year, else
-- 'registry'. A measured year with fewer than 12 billing months loaded is scaled to twelve
-- (measured × 12 / months loaded): at the September evaluation eight months would otherwise read
-- as a whole year. measured_cost_yuan keeps the unscaled sum.
CREATE VIEW system_cloud_cost AS
WITH systems AS (
  SELECT system_id, cloud_cost_annual FROM systems_current WHERE NOT coalesce(classified, false)
), final AS (
  SELECT s.system_id, c.year,
    CASE WHEN m.system_id IS NOT NULL THEN m.measured_cost_yuan * 12.0 / least(c.months_loaded, 12)
         ELSE s.cloud_cost_annual END AS cloud_cost_annual,
    CASE WHEN m.system_id IS NOT NULL THEN 'measured' ELSE 'registry' END AS cost_source,
    m.measured_cost_yuan,
    c.months_loaded AS measured_months,
    m.cost_basis,
    s.cloud_cost_annual AS registry_cost_annual
  FROM systems s CROSS JOIN cloud_cost_coverage c
  LEFT JOIN cloud_cost_measured m ON m.system_id = s.system_id AND m.year = c.year
)
SELECT * FROM final;

-- The same for one year, whether or not FOCUS data of that year is loaded (then every system is
-- 'registry'): what a yearly step (evaluation, budget) joins to.
CREATE MACRO system_cloud_cost_for(y) AS TABLE
SELECT s.system_id, CAST(y AS INTEGER) AS year,
  coalesce(v.cloud_cost_annual, s.cloud_cost_annual) AS cloud_cost_annual,
  coalesce(v.cost_source, 'registry') AS cost_source,
  v.measured_cost_yuan, v.measured_months, v.cost_basis,
  s.cloud_cost_annual AS registry_cost_annual
FROM systems_current s LEFT JOIN system_cloud_cost v ON v.system_id = s.system_id AND v.year = y
WHERE NOT coalesce(s.classified, false);
