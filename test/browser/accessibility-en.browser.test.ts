// axe-core on every page in English: phone and desktop widths, light and dark themes.
import { pagesSuite } from '../helpers/axe-pages.js';

pagesSuite('en');
