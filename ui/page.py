"""What the chat page looks like and does in the browser: theme, CSS and one script.

The script does what Gradio cannot: it turns each ``[n]`` of an answer into a
button that shows citation n in the article, and it scrolls the article panel
itself (never the window, which on a phone would carry the answer off-screen) to
a highlight; on a phone, where the panel is far below, the button also opens a
sheet over the bottom of the screen with the quote in its surroundings. It sends
nothing anywhere and waits at most a few seconds for the article to show the right
answer's highlights.
"""

import gradio as gr

# System fonts only: the default theme would fetch web fonts, and there is no internet.
# The primary button one shade darker than Gradio's: white on orange-600 is 3.6:1,
# under the 4.5:1 that small text needs (WCAG AA); on orange-700 it is 5.2:1.
THEME = gr.themes.Default(
    font=[gr.themes.Font("system-ui"), "sans-serif"], font_mono=["ui-monospace", "monospace"]
).set(
    button_primary_background_fill="*primary_700",
    button_primary_background_fill_dark="*primary_700",
    button_primary_background_fill_hover="*primary_800",
    button_primary_background_fill_hover_dark="*primary_800",
)

# Every HTML tag name: the chat shows each of them as text, so a message can hold no
# markup at all (Gradio's allow_tags escapes the tags it lists, see ui/messages.py).
LITERAL_TAGS = sorted(
    """a abbr address area article aside audio b base bdi bdo blockquote body br button
    canvas caption cite code col colgroup data datalist dd del details dfn dialog div dl dt
    em embed fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head
    header hgroup hr html i iframe img input ins kbd label legend li link main map mark
    math menu meta meter nav noscript object ol optgroup option output p param picture
    pre progress q rp rt ruby s samp script search section select slot small source span
    strong style sub summary sup svg table tbody td template textarea tfoot th thead time
    title tr track u ul var video wbr""".split()
)

CSS = """
.article { white-space: pre-wrap; max-height: 72vh; overflow-y: auto; line-height: 1.6;
           padding: 0.5rem 0.9rem; font-family: Georgia, serif; font-size: 1.02rem;
           max-width: 40rem; }
.article .headline { font-size: 1.45em; font-weight: 700; line-height: 1.3;
                     font-family: system-ui, sans-serif; }
.article .heading { font-size: 1.12em; font-weight: 700; font-family: system-ui, sans-serif; }
.article .byline, .article .dateline { font-family: system-ui, sans-serif; font-size: 0.85em;
    color: #4b5563; text-transform: uppercase;
    letter-spacing: 0.03em; }
.article mark { background: #ffe27a; padding: 0 2px; border-radius: 3px;
                scroll-margin: 2rem; }
.article mark::before { content: "[" attr(data-n) "] "; font-family: system-ui, sans-serif;
                        font-size: 0.75em; font-weight: 600; color: #6b4e00; }
.article mark.current { outline: 2px solid #c28a00; background: #ffd23f; }
.article mark.more::before { content: none; }
#chat .message-content .md { white-space: pre-wrap; }
/* A phone's chat is shorter, so the question box and the suggestions fit on the first
   screen with it. */
@media (max-width: 640px) { #chat { height: 360px !important; } }
#chat .placeholder-content { padding: 0 1rem; }
/* The chat's clear and copy-all buttons on a strip of their own, not floating over the
   message scrolled under them (on a phone, over the first line of the question). */
#chat .icon-button-wrapper.top-panel { position: static; display: flex;
    width: fit-content; margin: 0 0 0 auto; }
#chat button.cite-ref { display: inline; border: 0; padding: 0 1px; margin: 0;
    background: none; color: #1d4ed8; text-decoration: underline; cursor: pointer;
    font: inherit; }
#chat button.cite-ref:focus-visible { outline: 2px solid #1d4ed8; border-radius: 2px; }
/* Stop shows only when an answer takes longer than 0.4 s: a fast answer does not flicker
   it. Gradio shows the button anew for each answer, which restarts the delay. */
#stop { animation: rag-appear 0s linear 0.4s both; }
@keyframes rag-appear { from { visibility: hidden; } to { visibility: visible; } }
#controls { gap: 0.5rem; justify-content: flex-start; }
/* The system's dark theme: highlights keep dark text on their light background. */
.dark .article mark { color: #1a1a1a; }
.dark .article .byline, .dark .article .dateline { color: #9ca3af; }
.dark .article mark::before { color: #6b4e00; }
.dark #chat button.cite-ref { color: #93c5fd; }
/* On a phone the article is far below the answer: a tapped [n] opens this sheet over
   the bottom of the screen with the quote in its surroundings. */
#cite-sheet { position: fixed; left: 0; right: 0; bottom: 0; z-index: 1000;
    max-height: 45vh; overflow-y: auto; padding: 0.9rem 1rem 1.1rem;
    background: var(--background-fill-primary, #fff); color: var(--body-text-color, #111);
    border-top: 1px solid var(--border-color-primary, #ccc);
    box-shadow: 0 -6px 18px rgba(0, 0, 0, 0.18); border-radius: 12px 12px 0 0;
    font-family: Georgia, serif; line-height: 1.5; }
#cite-sheet[hidden] { display: none; }
#cite-sheet .context { color: var(--body-text-color-subdued, #555); }
#cite-sheet mark { background: #ffe27a; color: #1a1a1a; padding: 0 2px; border-radius: 3px; }
#cite-sheet .sheet-head { display: flex; justify-content: space-between; align-items: center;
    font-family: system-ui, sans-serif; font-size: 0.85rem; margin-bottom: 0.4rem; }
#cite-sheet button { font: inherit; padding: 0.2rem 0.6rem; border-radius: 6px;
    border: 1px solid var(--border-color-primary, #ccc); background: none; color: inherit; }
"""

# Runs once when the page loads (Blocks' js=).
PAGE_JS = r"""
() => {
  const MARKER = /\[(\d+)\]/g;  // for matchAll
  const HAS_MARKER = /\[\d+\]/;  // for test: a /g regex would carry lastIndex over
  const messages = () => Array.from(
    document.querySelectorAll('#chat [data-testid="user"], #chat [data-testid="bot"]'));

  // The panel scrolls, not the window: on a phone the window holds the answer.
  const scrollPanelTo = (mark) => {
    const panel = document.querySelector('#article-view .article');
    if (!panel || !mark) return;
    const top = mark.getBoundingClientRect().top - panel.getBoundingClientRect().top;
    panel.scrollTop += top - panel.clientHeight / 3;
    document.querySelectorAll('#article-view mark.current')
      .forEach((m) => m.classList.remove('current'));
    mark.classList.add('current');
  };
  // After an answer: the panel to its first highlight; and when the window was scrolled
  // past the chat's top (a suggestion tapped below it on a phone), back to the chat,
  // which shows its latest answer.
  window.ragScrollArticle = () => {
    scrollPanelTo(document.querySelector('#article-view mark'));
    const chat = document.querySelector('#chat');
    if (chat && chat.getBoundingClientRect().top < 0) chat.scrollIntoView({ block: 'start' });
  };

  const linkify = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const found = [];
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (!node.parentElement.closest('.cite-ref') && HAS_MARKER.test(node.data)) found.push(node);
    }
    for (const node of found) {
      const part = document.createDocumentFragment();
      let last = 0;
      for (const m of node.data.matchAll(MARKER)) {
        part.append(node.data.slice(last, m.index));
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'cite-ref';
        b.dataset.n = m[1];
        b.textContent = m[0];
        b.setAttribute('aria-label', 'Show citation ' + m[1] + ' in the article');
        part.append(b);
        last = m.index + m[0].length;
      }
      part.append(node.data.slice(last));
      node.replaceWith(part);
    }
  };
  const linkifyAll = () => document
    .querySelectorAll('#chat [data-testid="bot"] .md').forEach(linkify);
  new MutationObserver(linkifyAll).observe(document.body,
    { childList: true, subtree: true, characterData: true });

  // The answer a message belongs to: a sources block belongs to the answer above it.
  const answerIndex = (el) => {
    const all = messages();
    let i = all.indexOf(el.closest('[data-testid="bot"]'));
    while (i > 0 && all[i].closest('.thought')) i -= 1;
    return i;
  };
  // Escape stops an answer being written, as the Stop button does.
  document.addEventListener('keydown', (event) => {
    const stop = document.querySelector('#stop');
    if (event.key === 'Escape' && stop && stop.offsetParent !== null) stop.click();
  });
  // The sheet a phone shows for a tapped [n]: text only (textContent), never markup.
  const PHONE = 768;
  const sheet = document.createElement('div');
  sheet.id = 'cite-sheet';
  sheet.hidden = true;
  sheet.setAttribute('role', 'dialog');
  sheet.setAttribute('aria-label', 'Cited passage');
  document.body.append(sheet);
  const closeSheet = () => { sheet.hidden = true; };
  const openSheet = (mark, n) => {
    const article = mark.closest('.article');
    const around = document.createRange();
    around.setStart(article, 0);
    around.setEndBefore(mark);
    const before = around.toString().slice(-220);
    around.setStartAfter(mark);
    around.setEnd(article, article.childNodes.length);
    const after = around.toString().slice(0, 220);
    const head = document.createElement('div');
    head.className = 'sheet-head';
    const title = document.createElement('strong');
    title.textContent = 'Source [' + n + ']';
    const close = document.createElement('button');
    close.type = 'button';
    close.textContent = 'Close';
    close.addEventListener('click', closeSheet);
    head.append(title, close);
    const text = document.createElement('p');
    const pre = document.createElement('span');
    pre.className = 'context';
    pre.textContent = (before.length === 220 ? '…' : '') + before.replace(/^\S*\s/, '');
    const quote = document.createElement('mark');
    quote.textContent = mark.textContent;
    const post = document.createElement('span');
    post.className = 'context';
    post.textContent = after.replace(/\s\S*$/, '') + (after.length === 220 ? '…' : '');
    text.append(pre, quote, post);
    sheet.replaceChildren(head, text);
    sheet.hidden = false;
    close.focus();
  };
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !sheet.hidden) closeSheet();
  });
  document.addEventListener('click', (event) => {
    if (!sheet.hidden && !sheet.contains(event.target)
        && !(event.target.closest && event.target.closest('button.cite-ref'))) closeSheet();
  });

  document.addEventListener('click', (event) => {
    const ref = event.target.closest && event.target.closest('#chat button.cite-ref');
    if (!ref) return;
    const wanted = String(answerIndex(ref));
    const started = Date.now();
    // Clicking the message also selects it; the page then shows that answer's
    // highlights. Wait (bounded) until the article is that answer's.
    const timer = setInterval(() => {
      const article = document.querySelector('#article-view .article');
      const ready = article && article.dataset.answer === wanted;
      if (ready || Date.now() - started > 5000) {
        clearInterval(timer);
        if (!ready) return;
        const mark = article.querySelector('mark[data-n="' + ref.dataset.n + '"]');
        scrollPanelTo(mark);
        if (mark && window.innerWidth < PHONE) openSheet(mark, ref.dataset.n);
      }
    }, 50);
  });
}
"""

# After each answer: show its first highlight in the panel.
SCROLL_JS = "() => { if (window.ragScrollArticle) window.ragScrollArticle(); }"
