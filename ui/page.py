"""What the chat page looks like and does in the browser: theme, CSS and one script.

The script does two things Gradio cannot: it turns each ``[n]`` of an answer
into a button that shows citation n in the article, and it scrolls the article
panel itself (never the window, which on a phone would carry the answer
off-screen) to a highlight. It sends nothing anywhere and waits at most a few
seconds for the article to show the right answer's highlights.
"""

import gradio as gr

# System fonts only: the default theme would fetch web fonts, and there is no internet.
THEME = gr.themes.Default(
    font=[gr.themes.Font("system-ui"), "sans-serif"], font_mono=["ui-monospace", "monospace"]
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
.article { white-space: pre-wrap; max-height: 72vh; overflow-y: auto; line-height: 1.55;
           padding: 0.5rem 0.75rem; font-family: Georgia, serif; }
.article mark { background: #ffe27a; padding: 0 2px; border-radius: 3px;
                scroll-margin: 2rem; }
.article mark::before { content: "[" attr(data-n) "] "; font-family: system-ui, sans-serif;
                        font-size: 0.75em; font-weight: 600; color: #6b4e00; }
.article mark.current { outline: 2px solid #c28a00; background: #ffd23f; }
#chat .message-content .md { white-space: pre-wrap; }
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
.dark .article mark::before { color: #6b4e00; }
.dark #chat button.cite-ref { color: #93c5fd; }
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
  window.ragScrollArticle = () =>
    scrollPanelTo(document.querySelector('#article-view mark'));

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
        if (ready) scrollPanelTo(article.querySelector('mark[data-n="' + ref.dataset.n + '"]'));
      }
    }, 50);
  });
}
"""

# After each answer: show its first highlight in the panel.
SCROLL_JS = "() => { if (window.ragScrollArticle) window.ragScrollArticle(); }"
