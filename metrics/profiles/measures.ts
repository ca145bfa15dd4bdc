// The five municipal measures (docs/profiles.md; their texts are ../shared/seeds/): titles for citations.

export interface Measure {
  file: string;
  city: string;
  title: string;
  docNo?: string;
}

export const MEASURES: readonly Measure[] = [
  { file: '000_16c3551a555037f5.txt', city: '宁波', title: '宁波市本级信息化项目全生命周期管理办法', docNo: '甬政办发〔2025〕43号' },
  { file: '001_b27b0eb786c0566d.txt', city: '宿迁', title: '宿迁市市级信息化项目管理办法', docNo: '宿政办发〔2024〕45号' },
  { file: '002_1c9830a0543bb14e.txt', city: '大石桥', title: '大石桥市政务信息化项目管理暂行办法' },
  { file: '003_886887453bded005.txt', city: '绍兴', title: '绍兴市市级政务信息化项目管理办法', docNo: '绍政办发〔2020〕39号' },
  { file: '004_7be093fbc51395b8.txt', city: '南充', title: '南充市市级政务信息化项目管理办法（试行）', docNo: '南府办发〔2023〕14号' },
];

export function measureOf(file: string): Measure {
  const m = MEASURES.find((x) => x.file === file);
  if (!m) throw new Error(`unknown measure file ${file}`);
  return m;
}

/** 《宿迁市市级信息化项目管理办法》第六条 */
export function citationLabel(c: { file: string; article: string }): string {
  return `《${measureOf(c.file).title}》${c.article}`;
}
