// The translated strings the pages' scripts may ask for: every `client.*` key of the reference
// language, without its prefix. The browser's `t()` takes only these, so a key that does not exist
// (or a refusal code, media problem or call end nobody wrote a sentence for) fails to compile.
import type { MessageKey } from '../i18n/fr.js';

type WithoutClientPrefix<Key> = Key extends `client.${infer Rest}` ? Rest : never;

export type ClientMessageKey = WithoutClientPrefix<MessageKey>;
