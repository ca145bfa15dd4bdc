-- 0011 connectors (docs/connectors.md §2.3): a FOCUS row keeps its ChargePeriodEnd, so an export's
-- coverage (first and last charge period) can be reported; a system's measured cost is annualised
-- over the billing months in which that system was billed, not the months the whole account was.

ALTER TABLE raw_cloud_costs ADD COLUMN charge_period_end TIMESTAMPTZ;

-- grain: one row per system per year with attributed charges (as in 0003), and which billing
-- months those were ('YYYY-MM', comma-separated) — the months its annualised figure rests on.
CREATE OR REPLACE MACRO cloud_cost_measured_as(basis) AS TABLE
WITH charges AS (
  SELECT *, coalesce(basis, cost_basis) AS basis_used FROM cloud_costs_current WHERE system_id IS NOT NULL
), final AS (
  SELECT system_id,
    CAST(year(billing_month) AS INTEGER) AS year,
    sum(CASE basis_used WHEN 'effective' THEN effective_cost ELSE billed_cost END * fx_to_cny) AS measured_cost_yuan,
    count(DISTINCT billing_month) AS billing_months,
    string_agg(DISTINCT basis_used, ',' ORDER BY basis_used) AS cost_basis,
    count(*) AS charge_rows,
    string_agg(DISTINCT strftime(billing_month, '%Y-%m'), ',' ORDER BY strftime(billing_month, '%Y-%m')) AS billed_months
  FROM charges GROUP BY system_id, year(billing_month)
)
SELECT * FROM final;

-- a view's columns are fixed when it is created: made again over the macro's new column
CREATE OR REPLACE VIEW cloud_cost_measured AS SELECT * FROM cloud_cost_measured_as(NULL);

-- grain: one row per registry system (classified excluded) per year with FOCUS data. A measured
-- year is annualised over the months the system itself was billed in (measured × 12 / its billing
-- months): a system charged only in September of a September–October export is billed for one
-- month, not two. Before, the divisor was the months the whole export covered, which halved it.
-- measured_months is now the system's own billing months, billed_months lists them, and
-- export_months is what the year's FOCUS data covers for the whole account.
CREATE OR REPLACE VIEW system_cloud_cost AS
WITH systems AS (
  SELECT system_id, cloud_cost_annual FROM systems_current WHERE NOT coalesce(classified, false)
), final AS (
  SELECT s.system_id, c.year,
    CASE WHEN m.system_id IS NOT NULL THEN m.measured_cost_yuan * 12.0 / least(m.billing_months, 12)
         ELSE s.cloud_cost_annual END AS cloud_cost_annual,
    CASE WHEN m.system_id IS NOT NULL THEN 'measured' ELSE 'registry' END AS cost_source,
    m.measured_cost_yuan,
    m.billing_months AS measured_months,
    m.cost_basis,
    s.cloud_cost_annual AS registry_cost_annual,
    m.billed_months,
    c.months_loaded AS export_months
  FROM systems s CROSS JOIN cloud_cost_coverage c
  LEFT JOIN cloud_cost_measured m ON m.system_id = s.system_id AND m.year = c.year
)
SELECT * FROM final;
