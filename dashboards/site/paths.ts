// Where each page lives. System and department pages are named by a hash of their id or name, so
// nothing from input ever becomes part of a path (no traversal, no markup, no case or Unicode
// collisions on the disks a bureau uses); the pages link to each other through these functions.

import crypto from 'node:crypto';

const digest = (kind: string, key: string) => crypto.createHash('sha256').update(`${kind}\u0000${key}`).digest('hex').slice(0, 16);

/** systems/<16 hex>.html */
export function systemPage(systemId: string): string {
  return `systems/${digest('system', systemId)}.html`;
}

/** departments/<16 hex>.html */
export function departmentPage(department: string): string {
  return `departments/${digest('department', department)}.html`;
}

/** The fixed pages, by key: file and Chinese title (also the navigation, in this order). */
export const PAGES = {
  overview: { file: 'index.html', zh: '概览' },
  rectification: { file: 'rectification.html', zh: '限期整改' },
  elimination: { file: 'elimination.html', zh: '淘汰退出' },
  sharing: { file: 'sharing.html', zh: '数据共享' },
  annual: { file: 'annual.html', zh: '绩效与经费' },
  calendar: { file: 'calendar.html', zh: '合规日历' },
  costshare: { file: 'costshare.html', zh: '费用分摊' },
  departments: { file: 'departments.html', zh: '部门' },
  systems: { file: 'systems.html', zh: '系统' },
  definitions: { file: 'definitions.html', zh: '指标口径' },
  profile: { file: 'profile.html', zh: '政策配置' },
} as const;

export type PageKey = keyof typeof PAGES;

/** The relative prefix from a page back to the site root: '' or '../'. */
export function rootOf(file: string): string {
  return '../'.repeat(file.split('/').length - 1);
}
