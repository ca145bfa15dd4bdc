// The page and type of an official document per GB/T 9704-2012 (党政机关公文格式), for the Word
// documents govmon writes (docs/outputs.md §7.4): A4 with margins 37 / 35 / 28 / 26 mm (top,
// bottom, left, right), a type area of 156 × 225 mm holding 22 lines of 28 characters; the title
// in 小标宋 2号, the body in 仿宋_GB2312 3号 (exact line spacing of 1/22 of the type area, runs set so
// 28 characters fill a line), first-level headings in 黑体, second-level in 楷体;
// page numbers in 4号 半角 宋体 with a dash on each side (— 1 —), odd pages right and even pages
// left, one character in from the edge. Fonts a machine lacks fall back through the font table's
// alternate names (仿宋_GB2312 → 仿宋, …), as Word and WPS read them. Every value from input is a
// text run, never a field; the only fields are the page numbers.

import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
  type ISectionOptions,
} from 'docx';
import { zipWithFixedTimes } from '../exports/xlsx.ts';

/** 1 mm in twentieths of a point (twips). */
const MM = 1440 / 25.4;
export const PAGE = {
  width: Math.round(210 * MM), // 11906
  height: Math.round(297 * MM), // 16838
  top: Math.round(37 * MM), // 2098
  bottom: Math.round(35 * MM), // 1984
  left: Math.round(28 * MM), // 1587
  right: Math.round(26 * MM), // 1474
};
/** 225 mm of type area ÷ 22 lines, in twips (28.99 pt a line). */
export const LINE_PITCH = Math.floor((225 * MM) / 22);
/**
 * 156 mm ÷ 28 characters = 15.79 pt a character, 0.21 pt less than a 3号 (16 pt) character: the
 * body's runs are set 5 twips (0.25 pt) tighter, so 28 characters fill a line. (A character grid
 * would do the same in Word, but LibreOffice spreads its characters: the spacing reads alike
 * everywhere.)
 */
export const BODY_CHAR_SPACING = -5;

export const FONT = {
  title: '方正小标宋简体',
  body: '仿宋_GB2312',
  h1: '黑体',
  h2: '楷体_GB2312',
  number: '宋体',
  latin: 'Times New Roman',
} as const;
/** Sizes in half-points: 2号 22 pt, 3号 16 pt, 4号 14 pt, 五号 10.5 pt (tables). */
export const SIZE = { title: 44, body: 32, pageNumber: 28, table: 21 } as const;

/** Alternate names of each font, for a machine without it (the font table's w:altName). */
const FALLBACK: Record<string, string> = {
  [FONT.title]: '华文中宋',
  [FONT.body]: '仿宋',
  [FONT.h1]: 'SimHei',
  [FONT.h2]: '楷体',
  [FONT.number]: 'SimSun',
};

const fonts = (eastAsia: string) => ({ ascii: FONT.latin, hAnsi: FONT.latin, eastAsia, cs: FONT.latin });

type Font = (typeof FONT)[keyof typeof FONT];

/** A run of text from anywhere (input values included): always text. */
export function run(text: string, o: { font?: Font; size?: number; bold?: boolean } = {}): TextRun {
  const size = o.size ?? SIZE.body;
  return new TextRun({
    text,
    font: fonts(o.font ?? FONT.body),
    size,
    bold: o.bold,
    characterSpacing: size === SIZE.body ? BODY_CHAR_SPACING : undefined,
  });
}

const exact = { line: LINE_PITCH, lineRule: LineRuleType.EXACT } as const;

/** A body paragraph: 仿宋 3号, first line indented two characters. */
export function body(text: string | TextRun[], o: { indent?: boolean; align?: 'left' | 'right' | 'center' | 'both' } = {}): Paragraph {
  return new Paragraph({
    children: typeof text === 'string' ? [run(text)] : text,
    spacing: exact,
    alignment: o.align === 'right' ? AlignmentType.RIGHT : o.align === 'center' ? AlignmentType.CENTER : AlignmentType.BOTH,
    indent: o.indent === false ? undefined : { firstLine: 2 * 320 },
  });
}

/** The title: 小标宋 2号, centred, with a line before the body; several lines break where given. */
export function title(text: string | readonly string[]): Paragraph {
  const lines = typeof text === 'string' ? [text] : text;
  return new Paragraph({
    children: lines.map((l, i) => new TextRun({ text: l, font: fonts(FONT.title), size: SIZE.title, break: i > 0 ? 1 : undefined })),
    alignment: AlignmentType.CENTER,
    spacing: { line: Math.round(LINE_PITCH * 1.2), lineRule: LineRuleType.EXACT, after: LINE_PITCH },
  });
}

/** 一、…: 黑体 3号. */
export function heading1(text: string): Paragraph {
  return new Paragraph({ children: [run(text, { font: FONT.h1 })], spacing: exact, indent: { firstLine: 640 }, keepNext: true });
}

/** （一）…: 楷体 3号. */
export function heading2(text: string): Paragraph {
  return new Paragraph({ children: [run(text, { font: FONT.h2 })], spacing: exact, indent: { firstLine: 640 }, keepNext: true });
}

/** The 发文字号, centred above the title: the prefix given (or a placeholder), the number left blank to fill in. */
export function documentNumber(prefix: string | undefined, year: number): Paragraph {
  const text = prefix ? `${prefix}　　号` : `〔${year}〕　　号`;
  return new Paragraph({ children: [run(text)], alignment: AlignmentType.CENTER, spacing: { ...exact, after: LINE_PITCH } });
}

/** The addressee (主送机关): flush left, followed by a full-width colon. */
export function addressee(name: string): Paragraph {
  return new Paragraph({ children: [run(`${name}：`)], spacing: exact });
}

/** The issuing authority and the date, right-aligned, four characters in (成文日期右空四字). */
export function signOff(issuer: string, date: string): Paragraph[] {
  const [y, m, d] = date.split('-').map(Number);
  const indent = { right: 4 * 320 };
  return [
    new Paragraph({ children: [], spacing: exact }),
    new Paragraph({ children: [run(issuer)], alignment: AlignmentType.RIGHT, spacing: exact, indent }),
    new Paragraph({ children: [run(`${y}年${m}月${d}日`)], alignment: AlignmentType.RIGHT, spacing: exact, indent }),
  ];
}

/** Signature lines of a draft submitted for approval (报批稿). */
export function signatureLines(roles: readonly string[]): Paragraph[] {
  return [
    new Paragraph({ children: [], spacing: exact }),
    ...roles.map(
      (r) =>
        new Paragraph({
          // 27 characters: one line of the 28 a line holds
          children: [run(`${r}（签字）：＿＿＿＿＿　　日期：　　　年　　月　　日`)],
          spacing: exact,
          keepNext: true,
          keepLines: true,
        }),
    ),
  ];
}

const CELL_BORDER = { style: BorderStyle.SINGLE, size: 4, color: '000000' };

/** A table in 仿宋 五号 with single lines, its header row repeated on each page and kept with the next row. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], widths: readonly number[]): Table {
  const cell = (text: string, bold: boolean, width: number) =>
    new TableCell({
      children: [
        new Paragraph({
          children: [run(text, { size: SIZE.table, bold, font: bold ? FONT.h1 : FONT.body })],
          alignment: bold ? AlignmentType.CENTER : AlignmentType.LEFT,
          keepNext: bold,
          spacing: { line: 300, lineRule: LineRuleType.EXACT },
        }),
      ],
      width: { size: width, type: WidthType.DXA },
      borders: { top: CELL_BORDER, bottom: CELL_BORDER, left: CELL_BORDER, right: CELL_BORDER },
      margins: { left: 60, right: 60, top: 30, bottom: 30 },
    });
  return new Table({
    width: { size: widths.reduce((a, b) => a + b, 0), type: WidthType.DXA },
    columnWidths: [...widths],
    rows: [
      new TableRow({ tableHeader: true, cantSplit: true, children: header.map((h, i) => cell(h, true, widths[i])) }),
      ...rows.map((r) => new TableRow({ cantSplit: true, children: r.map((t, i) => cell(t, false, widths[i])) })),
    ],
  });
}

/** The width of the type area in twips (for tables). */
export const TYPE_WIDTH = PAGE.width - PAGE.left - PAGE.right;

/** Page number footers: odd pages right, even pages left, one character (4号) in: — 1 —. */
function pageNumberFooter(align: 'right' | 'left'): Footer {
  const size = SIZE.pageNumber;
  const text = (t: string) => new TextRun({ text: t, font: fonts(FONT.number), size });
  return new Footer({
    children: [
      new Paragraph({
        children: [text('— '), new TextRun({ children: [PageNumber.CURRENT], font: fonts(FONT.number), size }), text(' —')],
        alignment: align === 'right' ? AlignmentType.RIGHT : AlignmentType.LEFT,
        indent: align === 'right' ? { right: 280 } : { left: 280 },
      }),
    ],
  });
}

/** One document section laid out per GB/T 9704. */
export function section(children: ISectionOptions['children']): ISectionOptions {
  return {
    properties: {
      page: {
        size: { width: PAGE.width, height: PAGE.height },
        margin: { top: PAGE.top, bottom: PAGE.bottom, left: PAGE.left, right: PAGE.right, header: 851, footer: 992 },
      },
      // no snapping grid: the body's exact line spacing gives the 22 lines, and a table keeps its own
      // single lines (LibreOffice snaps every line, table cells included, to a line grid)
      grid: { linePitch: LINE_PITCH, type: 'default' },
    },
    footers: { default: pageNumberFooter('right'), even: pageNumberFooter('left') },
    children,
  };
}

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';

/** The font table: each font with its alternate name, the character set of simplified Chinese. */
function fontTable(): string {
  const entry = (name: string) =>
    `<w:font w:name="${name}">${FALLBACK[name] ? `<w:altName w:val="${FALLBACK[name]}"/>` : ''}<w:charset w:val="${
      name === FONT.latin ? '00' : '86'
    }"/><w:family w:val="${name === FONT.latin ? 'roman' : 'modern'}"/><w:pitch w:val="variable"/></w:font>`;
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts xmlns:w="${W}">${Object.values(FONT).map(entry).join('')}</w:fonts>`;
}

/** Document properties with fixed times (the document's date), so the same inputs give the same bytes. */
function coreProperties(meta: { title: string; date: string }): string {
  const t = `${meta.date}T00:00:00Z`;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>${esc(meta.title)}</dc:title><dc:creator>govmon</dc:creator><cp:lastModifiedBy>govmon</cp:lastModifiedBy><cp:revision>1</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">${t}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${t}</dcterms:modified></cp:coreProperties>`;
}

/** Pack a document of these sections into .docx bytes; `date` is the document's date (YYYY-MM-DD). */
export async function pack(sections: ISectionOptions[], meta: { title: string; date: string }): Promise<Buffer> {
  const doc = new Document({
    creator: 'govmon',
    title: meta.title,
    evenAndOddHeaderAndFooters: true,
    styles: {
      default: {
        document: { run: { font: fonts(FONT.body), size: SIZE.body }, paragraph: { spacing: exact } },
      },
    },
    sections,
  });
  const bytes = await Packer.toBuffer(doc, false, [
    { path: 'word/fontTable.xml', data: fontTable() },
    { path: 'docProps/core.xml', data: coreProperties(meta) },
  ]);
  return zipWithFixedTimes(Buffer.from(bytes));
}
