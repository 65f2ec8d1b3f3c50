import { h } from '../dom';
import { t } from '../i18n';
import { toast } from '../toast';

/** The text of what is on screen, with the way back from a character of it to the document. */
export interface PageText {
  text: string;
  /** Text nodes (or parts of them) in reading order; `at` is where each starts in `text`. */
  pieces: { node: Text; from: number; to: number; at: number }[];
  /** Where each block (heading, paragraph) starts in `text`: a sentence never runs across one. */
  blocks: number[];
  document: Document;
}

/** What the reader gives read-aloud: the page on screen, and a way to turn it. */
export interface ReadAloudSource {
  /** The book's language (BCP 47), for the voice and the sentences. */
  language: string | undefined;
  /** The text shown now, in reading order; undefined while nothing is shown. */
  pageText(): PageText | undefined;
  /** Turns to the next page; resolves false at the end of the book. */
  nextPage(): Promise<boolean>;
}

const highlightName = 'pustaka-read-aloud';
const speeds = [0.75, 1, 1.25, 1.5, 2];

/** Whether this browser can speak at all: the control is not offered otherwise. */
export function speechAvailable(): boolean {
  return (
    typeof window.speechSynthesis === 'object' &&
    window.speechSynthesis !== null &&
    typeof window.SpeechSynthesisUtterance === 'function'
  );
}

/** The text of `range`, block boundaries read as spaces, with where each piece came from. */
export function textOfRange(range: Range): PageText {
  const document = range.startContainer.ownerDocument ?? (range.startContainer as Document);
  const root = range.commonAncestorContainer;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const pieces: PageText['pieces'] = [];
  const blocks: number[] = [];
  let text = '';
  let lastBlock: Element | null = null;
  const blockOf = (node: Node): Element | null => {
    for (let el = node.parentElement; el; el = el.parentElement) {
      const display = document.defaultView?.getComputedStyle(el).display ?? 'block';
      if (!display.startsWith('inline')) return el;
    }
    return null;
  };
  for (
    let node = root.nodeType === Node.TEXT_NODE ? (root as Text) : (walker.nextNode() as Text | null);
    node;
  ) {
    if (range.intersectsNode(node)) {
      const from = node === range.startContainer ? range.startOffset : 0;
      const to = node === range.endContainer ? range.endOffset : node.data.length;
      const part = node.data.slice(from, to);
      if (part.trim()) {
        const block = blockOf(node);
        if (block !== lastBlock || !pieces.length) {
          if (text && !/\s$/.test(text)) text += ' ';
          blocks.push(text.length);
        }
        lastBlock = block;
        pieces.push({ node, from, to, at: text.length });
        text += part;
      }
    }
    if (root.nodeType === Node.TEXT_NODE) break;
    node = walker.nextNode() as Text | null;
  }
  return { text, pieces, blocks, document };
}

/** Sentences of `text` as [start, end) offsets, whitespace trimmed off, none across a block's start. */
export function sentencesOf(
  text: string,
  language: string | undefined,
  blocks: number[] = [],
): [number, number][] {
  const found: [number, number][] = [];
  const segmenter = new Intl.Segmenter(language || undefined, { granularity: 'sentence' });
  const starts = [...new Set([0, ...blocks])].sort((a, b) => a - b);
  starts.forEach((start, i) => {
    const block = text.slice(start, starts[i + 1] ?? text.length);
    for (const { segment, index } of segmenter.segment(block)) {
      const lead = segment.length - segment.trimStart().length;
      const trail = segment.length - segment.trimEnd().length;
      if (segment.trim()) found.push([start + index + lead, start + index + segment.length - trail]);
    }
  });
  return found;
}

/** The device's voice for `language`: the exact tag (id-ID), else the same language, else none (the default). */
export function voiceFor(language: string | undefined): SpeechSynthesisVoice | undefined {
  if (!language) return undefined;
  const norm = (tag: string) => tag.replace(/_/g, '-').toLowerCase();
  const wanted = norm(language);
  const primary = wanted.split('-')[0];
  const voices = window.speechSynthesis.getVoices();
  return (
    voices.find((voice) => norm(voice.lang) === wanted) ??
    voices.find((voice) => norm(voice.lang) === `${primary}-${primary}`) ??
    voices.find((voice) => norm(voice.lang).split('-')[0] === primary)
  );
}

function rangeOf(page: PageText, start: number, end: number): Range | undefined {
  const first = page.pieces.findLast((piece) => piece.at <= start);
  const last = page.pieces.findLast((piece) => piece.at < end);
  if (!first || !last) return undefined;
  const range = page.document.createRange();
  range.setStart(first.node, Math.min(first.from + (start - first.at), first.to));
  range.setEnd(last.node, Math.min(last.from + (end - last.at), last.to));
  return range;
}

/**
 * Read-aloud with the Web Speech API: the page on screen is spoken in the book's language, the sentence being
 * read is highlighted (CSS Custom Highlight in the chapter's frame, following the voice's `boundary` events),
 * and at the end of the page the book turns to the next one and goes on.
 */
export function readAloud(source: ReadAloudSource): {
  bar: HTMLElement;
  toggle: HTMLButtonElement;
  /** The patron moved to another page: reading goes on from there. */
  relocated(): void;
  stop(): void;
} {
  const synth = window.speechSynthesis;
  let state: 'stopped' | 'playing' | 'paused' = 'stopped';
  let rate = 1;
  /** Each utterance's events count only while it is the current one (cancel fires them too). */
  let generation = 0;
  let page: PageText | undefined;
  let sentences: [number, number][] = [];
  let sentence = -1;
  let turning = false;

  const voiceNote = h('span', { class: 'meta', id: 'read-aloud-voice' });
  const play = h(
    'button',
    { type: 'button', id: 'read-aloud-play', onclick: () => onPlay() },
    t('reader.play'),
  );
  const stopButton = h(
    'button',
    { type: 'button', class: 'secondary', id: 'read-aloud-stop', onclick: () => stop() },
    t('reader.stop'),
  );
  const speed = h(
    'select',
    {
      id: 'read-aloud-speed',
      onchange: () => {
        rate = Number(speed.value) || 1;
        // The new speed from the sentence being read.
        if (state === 'playing') speakFrom(sentence >= 0 ? (sentences[sentence]?.[0] ?? 0) : 0);
      },
    },
    speeds.map((value) => h('option', { value, selected: value === 1 }, `${value}×`)),
  );
  const bar = h(
    'div',
    {
      class: 'read-aloud',
      id: 'read-aloud',
      role: 'group',
      'aria-label': t('reader.readAloud'),
      hidden: true,
    },
    play,
    stopButton,
    h('label', { for: 'read-aloud-speed' }, t('reader.speed')),
    speed,
    voiceNote,
  );
  const toggle: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      id: 'read-aloud-button',
      'aria-expanded': 'false',
      'aria-controls': 'read-aloud',
      onclick: () => {
        bar.hidden = !bar.hidden;
        toggle.setAttribute('aria-expanded', String(!bar.hidden));
        if (bar.hidden) stop();
        else play.focus();
      },
    },
    t('reader.readAloud'),
  );

  const setState = (next: typeof state) => {
    state = next;
    bar.dataset.state = next;
    play.textContent =
      next === 'playing' ? t('reader.pause') : next === 'paused' ? t('reader.resume') : t('reader.play');
  };
  setState('stopped');

  const registry = (doc: Document) =>
    (doc.defaultView as (Window & typeof globalThis) | null)?.CSS?.highlights;
  const clearHighlight = () => {
    if (page) registry(page.document)?.delete(highlightName);
  };
  const highlight = (index: number) => {
    if (!page || index === sentence) return;
    sentence = index;
    const [start, end] = sentences[index] ?? [0, 0];
    const range = rangeOf(page, start, end);
    const view = page.document.defaultView as (Window & typeof globalThis) | null;
    if (!range || !view?.Highlight) return;
    registry(page.document)?.set(highlightName, new view.Highlight(range));
    bar.dataset.sentence = String(index);
  };

  const speakFrom = (offset: number) => {
    const mine = ++generation;
    synth.cancel();
    if (!page) return;
    const text = page.text.slice(offset);
    const utterance = new SpeechSynthesisUtterance(text);
    if (source.language) utterance.lang = source.language;
    const voice = voiceFor(source.language);
    if (voice) utterance.voice = voice;
    voiceNote.textContent = voice ? t('reader.voice', { name: voice.name }) : t('reader.voiceDefault');
    utterance.rate = rate;
    utterance.addEventListener('boundary', (event) => {
      if (mine !== generation) return;
      const at = offset + event.charIndex;
      const index = sentences.findIndex(([, end]) => end > at);
      if (index >= 0) highlight(index);
    });
    utterance.addEventListener('end', () => {
      if (mine === generation && state === 'playing') void turnPage();
    });
    utterance.addEventListener('error', (event) => {
      if (mine !== generation || event.error === 'interrupted' || event.error === 'canceled') return;
      stop();
      toast(t('reader.readAloudFailed'), 'error');
    });
    synth.speak(utterance);
    // The sentence it starts with, at once (boundary events move the mark on from there).
    sentence = -1;
    highlight(sentences.findIndex(([, end]) => end > offset));
  };

  const startPage = (): boolean => {
    clearHighlight();
    page = source.pageText();
    sentence = -1;
    sentences = page ? sentencesOf(page.text, source.language, page.blocks) : [];
    if (!page || !page.text.trim()) return false;
    speakFrom(0);
    return true;
  };

  const turnPage = async () => {
    turning = true;
    try {
      // Pages with no text (a picture) are turned past.
      for (let tries = 0; tries < 20; tries += 1) {
        if (!(await source.nextPage())) {
          stop();
          toast(t('reader.readAloudEnd'));
          return;
        }
        if (state !== 'playing') return;
        if (startPage()) return;
      }
      stop();
    } finally {
      turning = false;
    }
  };

  const onPlay = () => {
    if (state === 'playing') {
      synth.pause();
      setState('paused');
    } else if (state === 'paused') {
      synth.resume();
      setState('playing');
    } else {
      setState('playing');
      if (!startPage()) void turnPage();
    }
  };

  const stop = () => {
    generation += 1;
    synth.cancel();
    clearHighlight();
    sentence = -1;
    delete bar.dataset.sentence;
    setState('stopped');
  };

  return {
    bar,
    toggle,
    relocated() {
      if (state === 'playing' && !turning) startPage();
    },
    stop,
  };
}
