// The `decisions` export (docs/outputs.md §7.1): the decision register (docs/inputs.md §2.6) as it
// stands — every decision in arrival order, with the revocation that revoked it and the file it
// came from; --month / --year keep the decisions effective in that period. Reads no run.
// Classified systems are left out, as everywhere.

import { sqlString } from '../../core/sql.ts';
import { labelSql } from '../../metrics/labels.ts';
import { col as c, type ExportKind } from './kind.ts';

export const DECISION_EXPORTS: readonly ExportKind[] = [
  {
    kind: 'decisions',
    zh: '处置决定登记簿',
    period: 'any',
    resolveRun: async () => null,
    columns: [
      c('decision_id', '决定编号', 'text', 'd.decision_id'),
      c('system_id', '系统编号', 'text', 'd.system_id'),
      c('decision', '决定', 'text', 'd.decision', undefined, 'decision'),
      c('effective_date', '生效日期', 'date', 'd.effective_date'),
      c('until', '有效期至', 'date', 'd.until'),
      c('document_no', '文号', 'text', 'd.document_no', 22),
      c('decided_by', '决定人', 'text', 'd.decided_by'),
      c('reason', '理由', 'text', 'd.reason', 30),
      c('revokes', '撤销的决定编号', 'text', 'd.revokes'),
      c('reclaimed_vcpu', '收回vCPU', 'int', 'd.reclaimed_vcpu'),
      c('reclaimed_memory_gb', '收回内存（GB）', 'number', 'd.reclaimed_memory_gb'),
      c('reclaimed_storage_gb', '收回存储（GB）', 'number', 'd.reclaimed_storage_gb'),
      c('system_name', '系统名称', 'text', 's.system_name', 28),
      c('department', '建设单位', 'text', 's.department', 20),
      c('decision_zh', '决定（中文）', 'text', labelSql('decision', 'd.decision')),
      c('revoked_by', '被撤销（撤销决定编号）', 'text', 'd.revoked_by'),
      c('revoked_date', '撤销生效日期', 'date', 'd.revoked_date'),
      c('file_id', '来源文件编号', 'int', 'd.file_id'),
      c('file_name', '来源文件', 'text', 'd.file_name', 30),
    ],
    from: ({ period }) => {
      const within = period.month
        ? `AND strftime(d.effective_date, '%Y-%m') = ${sqlString(period.month)}`
        : period.year
          ? `AND year(d.effective_date) = ${Number(period.year)}`
          : '';
      return `FROM decision_register d LEFT JOIN systems_current s USING (system_id)
        WHERE NOT coalesce(s.classified, false) ${within} ORDER BY d.arrival`;
    },
  },
];
