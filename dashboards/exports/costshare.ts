// The `costshare` export (docs/decisions.md §5.8): each county's share of the cloud cost of every
// citywide system at or above the threshold, for the year of a monthly run (--month) or of an
// evaluation (--year), amounts to the fen and summing to the cost; systems whose plan or population
// is missing follow, without a county. The XLSX has a sheet per county as well.

import { labelSql } from '../../metrics/labels.ts';
import { currentMonthOrYearRun } from '../../pipelines/read.ts';
import { col as c, type ExportKind } from './kind.ts';

export const COSTSHARE_EXPORTS: readonly ExportKind[] = [
  {
    kind: 'costshare',
    zh: '云资源费用市县分摊',
    period: 'any',
    resolveRun: currentMonthOrYearRun,
    sheetsBy: 'county',
    columns: [
      c('system_id', '系统编号', 'text'),
      c('year', '年度', 'int', 'k.year'),
      c('county', '区县', 'text', 'k.county', 12),
      c('share_pct', '分摊比例(%)', 'number', 'k.share_pct'),
      c('amount', '分摊金额(元)', 'number', 'k.amount', 16),
      c('system_name', '系统名称', 'text', 'k.system_name', 28),
      c('department', '牵头部门', 'text', 'k.department', 20),
      c('basis', '分摊方式代码', 'text', 'k.basis'),
      c('status', '状态代码', 'text', 'k.status'),
      c('basis_zh', '分摊方式', 'text', labelSql('cost_share_basis', 'k.basis'), 16),
      c('status_zh', '状态', 'text', labelSql('cost_share_status', 'k.status'), 14),
      c('plan_share_pct', '方案比例(%)', 'number', 'k.plan_share_pct'),
      c('population', '上年常住人口', 'int', 'k.population'),
      c('population_year', '人口年度', 'int', 'k.population_year'),
      c('cost', '年云资源费用(元，到分)', 'number', 'k.cost', 16),
      c('remainder', '尾差(元)', 'number', 'k.remainder'),
      c('cost_source', '费用来源', 'text', labelSql('cost_source', 'k.cost_source')),
      c('run_id', '运行编号', 'int', 'k.run_id'),
    ],
    from: ({ runId }) => `FROM res_cost_shares k WHERE k.run_id = ${runId}
      ORDER BY k.status <> 'shared', k.department, k.system_id, k.county`,
  },
];
