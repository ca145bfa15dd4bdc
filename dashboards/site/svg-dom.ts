// The smallest DOM Observable Plot needs to draw a chart on the server and serialize it. linkedom
// does the job too, but it registers every node in a WeakMap of event listeners, which made the
// twelve charts of ~400 system pages the bulk of a site build (GC of millions of weak entries).
// This one keeps elements as plain objects and writes SVG text; tests/dashboard-charts.test.ts
// renders every chart kind with both and requires identical output, so it stays faithful.

const SVG_NS = 'http://www.w3.org/2000/svg';
const XHTML_NS = 'http://www.w3.org/1999/xhtml';

const escapeText = (s: string) => s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
const escapeAttr = (s: string) =>
  s.replace(/[&<>'"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&#39;', '"': '&quot;' })[c]!);

abstract class MiniNode {
  parentNode: MiniElement | null = null;
  constructor(readonly ownerDocument: MiniDocument) {}
  abstract get textContent(): string;
  abstract serialize(): string;
  get nextSibling(): MiniNode | null {
    const s = this.parentNode?.childNodes;
    return s ? (s[s.indexOf(this) + 1] ?? null) : null;
  }
  get previousSibling(): MiniNode | null {
    const s = this.parentNode?.childNodes;
    return s ? (s[s.indexOf(this) - 1] ?? null) : null;
  }
  remove(): void {
    this.parentNode?.removeChild(this);
  }
}

class MiniText extends MiniNode {
  readonly nodeType = 3;
  readonly nodeName = '#text';
  constructor(
    doc: MiniDocument,
    public data: string,
  ) {
    super(doc);
  }
  get textContent(): string {
    return this.data;
  }
  set textContent(v: string) {
    this.data = v;
  }
  get nodeValue(): string {
    return this.data;
  }
  serialize(): string {
    return escapeText(this.data);
  }
}

/** element.style: properties kept in order, written to the style attribute as linkedom does. */
class MiniStyle {
  private props = new Map<string, string>();
  constructor(private readonly el: MiniElement) {}
  setProperty(name: string, value: unknown, priority?: string): void {
    if (value === null || value === undefined || value === '') this.props.delete(name);
    else this.props.set(name, `${String(value)}${priority ? ` !${priority}` : ''}`);
    this.sync();
  }
  removeProperty(name: string): string {
    const v = this.props.get(name) ?? '';
    this.props.delete(name);
    this.sync();
    return v;
  }
  getPropertyValue(name: string): string {
    return this.props.get(name) ?? '';
  }
  private sync(): void {
    if (this.props.size) this.el.attributes_.set('style', [...this.props].map(([k, v]) => `${k}:${v}`).join(';'));
    else this.el.attributes_.delete('style');
  }
}

export class MiniElement extends MiniNode {
  readonly nodeType = 1;
  readonly attributes_ = new Map<string, string>();
  readonly childNodes: MiniNode[] = [];
  readonly style: MiniStyle = new MiniStyle(this);
  constructor(
    doc: MiniDocument,
    readonly namespaceURI: string,
    readonly localName: string,
  ) {
    super(doc);
  }
  get tagName(): string {
    return this.namespaceURI === XHTML_NS ? this.localName.toUpperCase() : this.localName;
  }
  get nodeName(): string {
    return this.tagName;
  }
  get ownerSVGElement(): MiniElement | null {
    let p = this.parentNode;
    while (p && p.localName !== 'svg') p = p.parentNode;
    return p;
  }
  get children(): MiniElement[] {
    return this.childNodes.filter((c): c is MiniElement => c instanceof MiniElement);
  }
  get firstChild(): MiniNode | null {
    return this.childNodes[0] ?? null;
  }
  get lastChild(): MiniNode | null {
    return this.childNodes[this.childNodes.length - 1] ?? null;
  }
  setAttribute(name: string, value: unknown): void {
    this.attributes_.set(name, String(value));
  }
  setAttributeNS(_ns: string | null, name: string, value: unknown): void {
    this.setAttribute(name, value);
  }
  getAttribute(name: string): string | null {
    return this.attributes_.get(name) ?? null;
  }
  hasAttribute(name: string): boolean {
    return this.attributes_.has(name);
  }
  removeAttribute(name: string): void {
    this.attributes_.delete(name);
  }
  removeAttributeNS(_ns: string | null, name: string): void {
    this.attributes_.delete(name);
  }
  appendChild<T extends MiniNode>(c: T): T {
    return this.insertBefore(c, null);
  }
  insertBefore<T extends MiniNode>(c: T, ref: MiniNode | null): T {
    c.parentNode?.removeChild(c);
    const i = ref ? this.childNodes.indexOf(ref) : -1;
    if (i < 0) this.childNodes.push(c);
    else this.childNodes.splice(i, 0, c);
    c.parentNode = this;
    return c;
  }
  removeChild<T extends MiniNode>(c: T): T {
    const i = this.childNodes.indexOf(c);
    if (i >= 0) this.childNodes.splice(i, 1);
    c.parentNode = null;
    return c;
  }
  append(...nodes: (MiniNode | string)[]): void {
    for (const n of nodes) this.appendChild(typeof n === 'string' ? new MiniText(this.ownerDocument, n) : n);
  }
  get textContent(): string {
    return this.childNodes.map((c) => c.textContent).join('');
  }
  set textContent(v: string | null) {
    for (const c of this.childNodes) c.parentNode = null;
    this.childNodes.length = 0;
    if (v !== null && v !== undefined && String(v) !== '') this.appendChild(new MiniText(this.ownerDocument, String(v)));
  }
  /** Tag-name selectors and `*` only (all Plot's static marks ask for). */
  querySelectorAll(selector: string): MiniElement[] {
    if (selector !== '*' && !/^[a-zA-Z][\w-]*$/.test(selector)) throw new Error(`svg-dom: unsupported selector ${selector}`);
    const out: MiniElement[] = [];
    const walk = (e: MiniElement) => {
      for (const c of e.children) {
        if (selector === '*' || c.localName === selector) out.push(c);
        walk(c);
      }
    };
    walk(this);
    return out;
  }
  querySelector(selector: string): MiniElement | null {
    return this.querySelectorAll(selector)[0] ?? null;
  }
  addEventListener(): void {}
  removeEventListener(): void {}
  dispatchEvent(): boolean {
    return true;
  }
  serialize(): string {
    // linkedom writes the last attribute set first; so does this, so both give the same text
    const attrs = [...this.attributes_]
      .reverse()
      .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
      .join('');
    if (!this.childNodes.length && this.namespaceURI === SVG_NS) return `<${this.localName}${attrs} />`;
    return `<${this.localName}${attrs}>${this.childNodes.map((c) => c.serialize()).join('')}</${this.localName}>`;
  }
  get outerHTML(): string {
    return this.serialize();
  }
}

export class MiniDocument {
  readonly documentElement: MiniElement;
  readonly defaultView = { Event: class {} };
  constructor() {
    this.documentElement = new MiniElement(this, XHTML_NS, 'html');
  }
  createElement(tag: string): MiniElement {
    return new MiniElement(this, XHTML_NS, tag.toLowerCase());
  }
  createElementNS(ns: string | null, tag: string): MiniElement {
    return new MiniElement(this, ns ?? XHTML_NS, tag);
  }
  createTextNode(data: string): MiniText {
    return new MiniText(this, data);
  }
}
