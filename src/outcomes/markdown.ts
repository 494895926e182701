import MarkdownIt from 'markdown-it';

/**
 * The facilitator's narrative, from Markdown to HTML that is safe to publish: raw HTML in the text is shown as
 * text, not run, and links may only be http(s) or mailto (markdown-it refuses javascript:, data: and the like).
 */
const md = new MarkdownIt({ html: false, linkify: true, typographer: true });
const defaultLink = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet('rel', 'nofollow noopener');
  return defaultLink(tokens, idx, options, env, self);
};

export function renderMarkdown(text: string): string {
  return md.render(text);
}
