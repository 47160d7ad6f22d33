import { defineCookbookChapter } from '../src/index.ts';

defineCookbookChapter(4);
